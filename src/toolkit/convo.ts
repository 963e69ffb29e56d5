/**
 * Scripted conversations (`*.convo.yml`, format in test/flows/README.md): parsed with positions
 * so every failure can point an author at the exact step in their file.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { COMMANDS, RISK_LEVELS } from '../engine/types.ts';
import type { Problem } from '../flow/problems.ts';
import { parseYaml } from '../flow/yaml.ts';

const Texts = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
const Ids = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

export const Expect = z.strictObject({
  flow: z.string().optional(),
  state: z.string().optional(),
  says: Texts.optional(),
  not_says: Texts.optional(),
  offers: Ids.optional(),
  not_offers: Ids.optional(),
  risk: z.enum(RISK_LEVELS).optional(),
  flags: Ids.optional(),
  outcome: z.enum(RISK_LEVELS).nullable().optional(),
  steps: Ids.optional(),
  resources: Ids.optional(),
});
export type Expect = z.infer<typeof Expect>;

export const ConvoStep = z
  .strictObject({
    text: z.string().optional(),
    choose: z.string().min(1).optional(),
    command: z.enum(COMMANDS).optional(),
    /** With `command: start`: open this flow directly, as a deep link does. */
    flow: z.string().optional(),
    /** Marks the text as forwarded from someone else (a platform tells us so). */
    forwarded: z.boolean().optional(),
    expect: Expect.optional(),
  })
  .refine((s) => [s.text, s.choose, s.command].filter((a) => a !== undefined).length === 1, {
    message: 'a step does exactly one thing: text, choose or command',
  })
  .refine((s) => s.flow === undefined || s.command === 'start', {
    message: '`flow` goes with `command: start`',
  });

export const ConvoFile = z.strictObject({
  title: z.string().min(1),
  locale: z.string().default('en'),
  region: z.string().optional(),
  steps: z.array(ConvoStep).min(1),
});

export type ConvoStep = z.infer<typeof ConvoStep>;
export type Action =
  | { kind: 'text'; text: string; forwarded?: boolean }
  | { kind: 'choose'; id: string }
  | { kind: 'command'; command: (typeof COMMANDS)[number]; flow?: string };

export interface Position {
  line: number;
  col: number;
}

export interface ScriptStep {
  index: number;
  action: Action;
  expect: Expect;
  at: Position;
  /** Where each expectation key is written, for pointing at the exact line that failed. */
  expectAt: Partial<Record<keyof Expect, Position>>;
}

export interface Convo {
  file: string;
  title: string;
  locale: string;
  region?: string;
  steps: ScriptStep[];
}

export type ParseResult = { ok: true; convo: Convo } | { ok: false; problems: Problem[] };

export function actionOf(step: ConvoStep): Action {
  if (step.choose !== undefined) return { kind: 'choose', id: step.choose };
  if (step.command !== undefined) {
    return step.flow
      ? { kind: 'command', command: step.command, flow: step.flow }
      : { kind: 'command', command: step.command };
  }
  return step.forwarded
    ? { kind: 'text', text: step.text!, forwarded: true }
    : { kind: 'text', text: step.text! };
}

/** How a step reads in a report: `choose: abroad`, `text: "1"`, `command: start job-offer`. */
export function describeAction(a: Action): string {
  if (a.kind === 'choose') return `choose: ${a.id}`;
  if (a.kind === 'command') return `command: ${a.command}${a.flow ? ` ${a.flow}` : ''}`;
  return `text: ${JSON.stringify(a.text)}`;
}

export function parseConvo(file: string, text: string): ParseResult {
  const yaml = parseYaml(file, text);
  if (yaml.problems.length > 0) return { ok: false, problems: yaml.problems };
  const parsed = ConvoFile.safeParse(yaml.value ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue): Problem => {
      const path = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
      const where = path.length > 0 ? ` (at ${path.join('.')})` : '';
      return { file, ...yaml.at(path), severity: 'error', message: `${issue.message}${where}` };
    });
    return { ok: false, problems };
  }
  const data = parsed.data;
  const steps = data.steps.map((step, index): ScriptStep => {
    const expect = step.expect ?? {};
    const expectAt: ScriptStep['expectAt'] = {};
    for (const key of Object.keys(expect) as (keyof Expect)[]) {
      expectAt[key] = yaml.at(['steps', index, 'expect', key]);
    }
    return { index, action: actionOf(step), expect, at: yaml.at(['steps', index]), expectAt };
  });
  const convo: Convo = { file, title: data.title, locale: data.locale, steps };
  if (data.region !== undefined) convo.region = data.region;
  return { ok: true, convo };
}

export function readConvo(path: string, display = path): ParseResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return {
      ok: false,
      problems: [
        { file: display, line: 1, col: 1, severity: 'error', message: `cannot read: ${String(err)}` },
      ],
    };
  }
  return parseConvo(display, text);
}
