/**
 * Turns a failed step into text an author can act on without reading code: where (file:line of
 * the step and of the expectation), what was expected, what the bot actually said and offered.
 */
import { describeAction } from './convo.ts';
import type { Observed } from './observed.ts';
import type { ConvoResult } from './runner.ts';

/** One reply per block, its buttons under it; long replies are kept whole (they are the evidence). */
export function describeSeen(seen: Observed, indent = '    '): string[] {
  const lines: string[] = [];
  if (seen.replies.length === 0) lines.push(`${indent}(the bot said nothing)`);
  for (const reply of seen.replies) {
    const textLines = reply.text.split('\n');
    lines.push(...textLines.map((t) => `${indent}│ ${t}`));
    if (reply.choices.length > 0) {
      lines.push(`${indent}│ buttons: ${reply.choices.map((c) => `[${c.id}] ${c.label}`).join('  ')}`);
    }
  }
  lines.push(`${indent}now: ${describeWhere(seen)}`);
  return lines;
}

export function describeWhere(seen: Observed): string {
  const where = seen.flow ? `${seen.flow}.${seen.state ?? '?'}` : '(no flow)';
  const flags = seen.flags.length > 0 ? ` (${seen.flags.join(', ')})` : '';
  const outcome = seen.outcome
    ? `outcome ${seen.outcome.level}` +
      (seen.outcome.resources.length > 0 ? ` with ${seen.outcome.resources.join(', ')}` : '')
    : 'no outcome';
  return `${where} · risk ${seen.risk}${flags} · ${outcome}`;
}

/** Empty when the conversation passed. */
export function formatFailure(result: ConvoResult): string[] {
  const f = result.failure;
  if (!f) return [];
  const { convo } = result;
  const step = f.step;
  const head = `${convo.file}:${step.at.line}:${step.at.col} step ${step.index + 1} (${describeAction(step.action)})`;
  const lines = [`✗ ${convo.title} [${result.channel}]`, `  ${head}`];
  if (f.kind === 'error') {
    lines.push(`    ${f.message}`);
    if (f.seen) lines.push('  the bot said:', ...describeSeen(f.seen));
    return lines;
  }
  const width = Math.max(...f.mismatches.map((m) => m.key.length));
  for (const m of f.mismatches) {
    const at = step.expectAt[m.key];
    const where = at ? `  (line ${at.line})` : '';
    lines.push(`    ${m.key.padEnd(width)}  expected: ${m.expected}${where}`);
    lines.push(`    ${' '.repeat(width)}  actual:   ${m.actual}`);
  }
  lines.push('  the bot said:', ...describeSeen(f.seen));
  return lines;
}

export function formatPass(result: ConvoResult): string {
  return `✓ ${result.convo.file} [${result.channel}] ${result.convo.title} (${result.convo.steps.length} steps)`;
}
