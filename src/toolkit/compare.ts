/**
 * "One transcript, every channel": the same script run through two channels must leave the
 * conversation in the same place after every step. Platform adapters may lay messages out their
 * own way, so `where` compares only where the conversation is (flow, state, risk, flags, outcome);
 * `transcript` compares every reply and button too.
 */
import type { Observed } from './observed.ts';
import type { ConvoResult } from './runner.ts';

export type Strictness = 'where' | 'transcript';

function whereOf(o: Observed) {
  return { flow: o.flow, state: o.state, risk: o.risk, flags: [...o.flags].sort(), outcome: o.outcome };
}

/** Human-readable differences, step by step; empty when the channels agree. */
export function compareRuns(a: ConvoResult, b: ConvoResult, strictness: Strictness = 'transcript'): string[] {
  const out: string[] = [];
  const steps = Math.max(a.seen.length, b.seen.length);
  for (let i = 0; i < steps; i++) {
    const x = a.seen[i];
    const y = b.seen[i];
    const step = a.convo.steps[i];
    const where = step ? `${a.convo.file}:${step.at.line} step ${i + 1}` : `step ${i + 1}`;
    if (!x || !y) {
      out.push(`${where}: only ${x ? a.channel : b.channel} got this far`);
      break;
    }
    const left = strictness === 'where' ? whereOf(x) : { ...whereOf(x), replies: x.replies };
    const right = strictness === 'where' ? whereOf(y) : { ...whereOf(y), replies: y.replies };
    for (const key of Object.keys(left) as (keyof typeof left)[]) {
      const l = JSON.stringify(left[key]);
      const r = JSON.stringify(right[key]);
      if (l !== r) out.push(`${where}: ${key} differs: ${a.channel} ${l} · ${b.channel} ${r}`);
    }
  }
  return out;
}
