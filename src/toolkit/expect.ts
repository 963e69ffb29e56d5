/**
 * Compares what a step expected with what the bot did. Returns every mismatch (not only the first)
 * so an author sees the whole picture of a failing step at once.
 */
import type { Expect } from './convo.ts';
import { type Observed, offeredIds } from './observed.ts';

export interface Mismatch {
  key: keyof Expect;
  expected: string;
  actual: string;
}

const list = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];
const show = (ids: readonly string[]) => (ids.length === 0 ? '(none)' : ids.join(', '));
const quote = (texts: readonly string[]) => texts.map((t) => JSON.stringify(t)).join(', ');

/** Case-insensitive, and blind to how whitespace is laid out (line breaks in a reply). */
function contains(haystack: string, needle: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();
  return norm(haystack).includes(norm(needle));
}

export function checkExpect(expect: Expect, seen: Observed): Mismatch[] {
  const out: Mismatch[] = [];
  const add = (key: keyof Expect, expected: string, actual: string) => out.push({ key, expected, actual });

  if (expect.flow !== undefined && expect.flow !== seen.flow) add('flow', expect.flow, seen.flow ?? '(none)');
  if (expect.state !== undefined && expect.state !== seen.state)
    add('state', expect.state, seen.state ?? '(none)');

  const texts = seen.replies.map((r) => r.text);
  const missingSays = list(expect.says).filter((s) => !texts.some((t) => contains(t, s)));
  if (missingSays.length > 0)
    add(
      'says',
      `a reply containing ${quote(missingSays)}`,
      'no reply contains it (see what the bot said below)',
    );
  const forbidden = list(expect.not_says).filter((s) => texts.some((t) => contains(t, s)));
  if (forbidden.length > 0)
    add('not_says', `no reply containing ${quote(forbidden)}`, 'a reply contains it (see below)');

  const offered = offeredIds(seen);
  const notOffered = list(expect.offers).filter((id) => !offered.includes(id));
  if (notOffered.length > 0)
    add('offers', `choices ${show(notOffered)} offered`, `offered: ${show(offered)}`);
  const wronglyOffered = list(expect.not_offers).filter((id) => offered.includes(id));
  if (wronglyOffered.length > 0)
    add('not_offers', `choices ${show(wronglyOffered)} not offered`, `offered: ${show(offered)}`);

  if (expect.risk !== undefined && expect.risk !== seen.risk) add('risk', expect.risk, seen.risk);
  const missingFlags = list(expect.flags).filter((f) => !seen.flags.includes(f));
  if (missingFlags.length > 0)
    add('flags', `flags ${show(missingFlags)} recorded`, `recorded: ${show(seen.flags)}`);

  if (expect.outcome !== undefined) {
    const actual = seen.outcome?.level ?? null;
    if (expect.outcome !== actual) add('outcome', expect.outcome ?? 'no outcome', actual ?? 'no outcome');
  }
  const steps = seen.outcome?.steps ?? [];
  const missingSteps = list(expect.steps).filter((s) => !steps.includes(s));
  if (missingSteps.length > 0) add('steps', `steps ${show(missingSteps)} shown`, `shown: ${show(steps)}`);
  const resources = seen.outcome?.resources ?? [];
  const missingResources = list(expect.resources).filter((r) => !resources.includes(r));
  if (missingResources.length > 0)
    add('resources', `resources ${show(missingResources)} shown`, `shown: ${show(resources)}`);
  return out;
}
