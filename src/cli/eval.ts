/**
 * `safestep eval [corpus]`: how well first messages are understood, measured through the real
 * engine: each message is the first thing a new person types, and we look at where the engine
 * takes them. Routing accuracy per flow, the confusions, and danger recall (which must be 100%).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { createEngine } from '../engine/engine.ts';
import { type Bundle, loadBundle } from '../flow/bundle.ts';
import { createLogger } from '../log.ts';
import { openMemoryStore } from '../store/memory.ts';

export const CorpusEntry = z.object({
  text: z.string(),
  flow: z.string(),
  danger: z.boolean().default(false),
  locale: z.string().optional(),
});
export type CorpusEntry = z.infer<typeof CorpusEntry>;

export interface EvalCase {
  entry: CorpusEntry;
  /** Where the engine took the person. */
  landed: string;
  /** Flows offered when the engine asked which one was meant. */
  offered: string[];
  verdict: 'routed' | 'asked' | 'wrong';
}

export interface EvalReport {
  cases: EvalCase[];
  /** Routed straight to the expected flow, or asked with it among the choices. */
  accuracy: number;
  /** Routed straight to the expected flow. */
  direct: number;
  perFlow: Record<string, { total: number; correct: number }>;
  dangerRecall: number;
  dangerPrecision: number;
  /** The emergency flow's id, where danger must land. */
  emergency: string;
}

/** One corpus file against one flows folder: what `safestep eval FILE` prints. */
export async function evalCorpus(corpusPath: string, flowsDir: string): Promise<EvalReport> {
  return runEval(readCorpus(corpusPath), await loadBundle(flowsDir));
}

export function readCorpus(path: string): CorpusEntry[] {
  return z.array(CorpusEntry).parse(parse(readFileSync(path, 'utf8')));
}

export async function runEval(entries: CorpusEntry[], bundle: Bundle): Promise<EvalReport> {
  const engine = createEngine({
    bundle,
    store: openMemoryStore(),
    logger: createLogger({ level: 'silent' }),
    rateLimitPerMinute: 0,
  });
  const cases: EvalCase[] = [];
  let i = 0;
  for (const entry of entries) {
    const r = await engine.handle({
      user: `eval-${i++}`,
      kind: 'text',
      text: entry.text,
      ...(entry.locale ? { locale: entry.locale } : {}),
    });
    const offered = r.replies
      .flatMap((rep) => rep.choices ?? [])
      .filter((c) => c.id.startsWith('_flow:'))
      .map((c) => c.id.slice('_flow:'.length));
    const landed = r.flow ?? 'none';
    const verdict =
      landed === entry.flow
        ? 'routed'
        : offered.includes(entry.flow) && entry.flow !== bundle.config.entry
          ? 'asked'
          : 'wrong';
    cases.push({ entry, landed, offered, verdict });
  }
  const perFlow: EvalReport['perFlow'] = {};
  for (const c of cases) {
    perFlow[c.entry.flow] ??= { total: 0, correct: 0 };
    const f = perFlow[c.entry.flow]!;
    f.total++;
    if (c.verdict !== 'wrong') f.correct++;
  }
  const emergency = bundle.config.emergency;
  const danger = cases.filter((c) => c.entry.danger);
  const flaggedDanger = cases.filter((c) => c.landed === emergency);
  const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);
  return {
    cases,
    accuracy: ratio(cases.filter((c) => c.verdict !== 'wrong').length, cases.length),
    direct: ratio(cases.filter((c) => c.verdict === 'routed').length, cases.length),
    perFlow,
    dangerRecall: ratio(danger.filter((c) => c.landed === emergency).length, danger.length),
    dangerPrecision: ratio(flaggedDanger.filter((c) => c.entry.danger).length, flaggedDanger.length),
    emergency,
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function formatEvalReport(r: EvalReport): string {
  const lines = [
    `messages: ${r.cases.length}`,
    `routing accuracy: ${pct(r.accuracy)} (straight to the flow: ${pct(r.direct)}; the rest asked with the right flow among the choices)`,
    `danger recall: ${pct(r.dangerRecall)}   danger precision: ${pct(r.dangerPrecision)}`,
    '',
    'per flow:',
    ...Object.entries(r.perFlow)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([flow, f]) =>
          `  ${flow.padEnd(20)} ${String(f.correct).padStart(3)}/${String(f.total).padEnd(3)} ${pct(f.correct / f.total)}`,
      ),
  ];
  const show = (c: EvalCase) => {
    const text = c.entry.text.length > 70 ? `${c.entry.text.slice(0, 67)}…` : c.entry.text;
    return `  ${c.entry.flow} → ${c.landed}${c.offered.length ? ` (offered ${c.offered.join(', ')})` : ''}: ${JSON.stringify(text)}`;
  };
  const missed = r.cases.filter((c) => c.entry.danger && c.landed !== r.emergency);
  if (missed.length > 0) lines.push('', 'DANGER MISSED (must be none):', ...missed.map(show));
  const alarms = r.cases.filter((c) => !c.entry.danger && c.landed === r.emergency);
  if (alarms.length > 0)
    lines.push('', 'false alarms (not labelled danger, sent to emergency help):', ...alarms.map(show));
  const wrong = r.cases.filter((c) => c.verdict === 'wrong' && !missed.includes(c) && !alarms.includes(c));
  if (wrong.length > 0) {
    lines.push('', 'other confusions (expected → landed):', ...wrong.map(show));
  }
  return lines.join('\n');
}
