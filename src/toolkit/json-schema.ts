/**
 * The JSON Schema editors use to complete and underline flow files, generated from the zod schema
 * the loader itself validates with, so the two can never disagree. Two additions zod cannot know:
 * the project's locales (so a missing translation is underlined as you type) and hover help.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { Flow, Localized } from '../flow/schema.ts';

/** Path of the checked-in file, relative to the repository root. */
export const FLOW_SCHEMA_FILE = 'flows/schema.json';

type Scope = 'flow' | 'inner' | 'guard';

/** Hover help for the keys authors write most, by where the key sits; the rest is in src/flow/schema.ts. */
const FLOW_HELP: Record<string, string> = {
  id: 'The flow id, kebab-case; also the file name (flows/<id>.yaml).',
  title: 'What the flow is about, shown in menus.',
  intents: 'Intent ids (flows/understanding/) whose free text opens this flow.',
  listed: 'Shown in menus (triage, disambiguation) when true or absent.',
  start: 'The state the flow opens in.',
  states: 'The flow states, by snake_case id.',
};
const GUARD_HELP: Record<string, string> = {
  flag: 'Holds when this red flag has been recorded.',
  risk: 'Holds when the risk so far is at least this level.',
  region: "Holds when the user's region is this one (or one of these).",
  locale: "Holds when the user's language is this one (or one of these).",
  answered: 'Holds when the user has answered this state.',
  all: 'Holds when every guard in the list holds.',
  any: 'Holds when some guard in the list holds.',
  not: 'Holds when the guard does not.',
};
const HELP: Record<string, string> = {
  id: 'Choice id: lowercase letters, digits, _ and -, at most 40. Scripted tests press it with `choose:`.',
  say: 'One message, or a list of messages sent one after another. Every locale is required.',
  choices: 'Buttons. The user may also type the number or the label.',
  routes: 'Free text routed by an answer intent (yes, no, unsure, paid, ...) or a flow intent.',
  decide:
    'Automatic branch on entry: the first decision whose `when` holds is taken; the last has no `when`.',
  outcome: 'Ends the conversation with a level, safe steps (flows/steps/) and contacts (flows/resources/).',
  flag: 'Red-flag id(s) from flows/flags/ recorded when this is chosen or entered.',
  collect: 'Free text typed here is kept (only in the session) for the evidence summary.',
  next: 'Go to this state of the same flow.',
  flow: 'Go to the start of another flow.',
  when: 'Guard: {flag}, {risk} (at least), {region}, {locale}, {answered}, {all}, {any}, {not}.',
  intent: 'Answer intent (yes, no, unsure, paid, not_paid, safe, unsafe, on_call) or a flow intent id.',
  level: 'Outcome risk level: none, low, medium, high, critical.',
  steps: 'Safe step ids from flows/steps/, shown numbered.',
  resources: "Resource ids from flows/resources/; each shows its contact for the user's region.",
  label: 'Button text, ≤ 80 characters (aim ≤ 30). Every locale is required.',
};

/** Locales every text must have, from flows/safestep.yaml (the checker enforces the same). */
export const DEFAULT_LOCALES = ['en', 'zh-CN'];

export function flowJsonSchema(locales: readonly string[] = DEFAULT_LOCALES): Record<string, unknown> {
  // `input`: what an author writes (fields with defaults are optional). Refinements (e.g. "exactly
  // one of next or flow") cannot be expressed in JSON Schema; `safestep validate` reports those.
  const schema = z.toJSONSchema(Flow, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-7',
    override: ({ zodSchema, jsonSchema }) => {
      if (zodSchema === Localized) {
        jsonSchema.properties = Object.fromEntries(locales.map((l) => [l, { type: 'string', minLength: 1 }]));
        jsonSchema.required = [...locales];
        jsonSchema.additionalProperties = false;
        delete jsonSchema.propertyNames;
      }
    },
  });
  // zod shares one JSON object between every use of a schema: copy before adding per-key help.
  const tree = JSON.parse(JSON.stringify(schema).replaceAll('__schema0', 'Guard')) as Record<string, unknown>;
  addHelp(tree, 'flow');
  return {
    ...tree,
    title: 'SafeStep flow',
    description:
      'One conversation flow (flows/<id>.yaml). Generated from src/flow/schema.ts by scripts/gen-schema.ts: do not edit by hand.',
  };
}

function addHelp(node: unknown, scope: Scope): void {
  if (Array.isArray(node)) {
    for (const item of node) addHelp(item, scope);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  const help = scope === 'flow' ? FLOW_HELP : scope === 'guard' ? GUARD_HELP : HELP;
  const props = obj.properties as Record<string, Record<string, unknown>> | undefined;
  for (const [key, value] of Object.entries(props ?? {})) {
    if (help[key] && value && typeof value === 'object' && !value.description) value.description = help[key];
  }
  // Below the root, keys mean state/choice things; the guard definition has its own words.
  const below: Scope = scope === 'flow' ? 'inner' : scope;
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'definitions') for (const def of Object.values(value as object)) addHelp(def, 'guard');
    else addHelp(key === 'properties' ? Object.values(value as object) : value, below);
  }
}

/** The file's exact text: stable key order and a trailing newline, so CI can compare bytes. */
export function flowJsonSchemaText(locales: readonly string[] = DEFAULT_LOCALES): string {
  return `${JSON.stringify(flowJsonSchema(locales), null, 2)}\n`;
}

/** The locales declared in a flows folder's safestep.yaml, or the defaults if it cannot be read. */
export function declaredLocales(flowsDir: string): string[] {
  try {
    const config = parse(readFileSync(join(flowsDir, 'safestep.yaml'), 'utf8')) as { locales?: unknown };
    const locales = config?.locales;
    if (Array.isArray(locales) && locales.every((l) => typeof l === 'string') && locales.length > 0)
      return locales;
  } catch {}
  return DEFAULT_LOCALES;
}
