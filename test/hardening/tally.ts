/**
 * Counts what the hardening tests tried, so README's testing section states it from a real run
 * rather than from memory. Each test file keeps its own tally (files run in separate processes),
 * writes it beside this file after its tests, and re-renders the README section from all of them.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll } from 'vitest';

export const tally = { events: 0, badInputs: 0, forged: 0, faults: 0, restarts: 0, lost: 0 };
type Tally = typeof tally;

const DIR = join(import.meta.dirname, '.results');
const README = join(import.meta.dirname, '..', '..', 'README.md');
const START = '<!-- hardening-summary:start -->';
const END = '<!-- hardening-summary:end -->';

/** Call once per test file: saves this file's tally and refreshes the README summary. */
export function reportTally(testFile: string): void {
  afterAll(() => {
    mkdirSync(DIR, { recursive: true });
    const tmp = join(DIR, `.${basename(testFile)}.${process.pid}.tmp`);
    writeFileSync(tmp, JSON.stringify(tally));
    renameSync(tmp, join(DIR, `${basename(testFile)}.json`));
    const all = readdirSync(DIR)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(join(DIR, f), 'utf8')) as Tally);
    const sum = all.reduce(
      (a, t) => ({
        events: a.events + t.events,
        badInputs: a.badInputs + t.badInputs,
        forged: a.forged + t.forged,
        faults: a.faults + t.faults,
        restarts: a.restarts + t.restarts,
        lost: a.lost + t.lost,
      }),
      { events: 0, badInputs: 0, forged: 0, faults: 0, restarts: 0, lost: 0 },
    );
    const line =
      `Last run of \`npm test\`: ${sum.events} random events tried, ${sum.badInputs} bad or hostile inputs sent, ` +
      `${sum.forged} stale or forged buttons pressed, ${sum.faults} faults injected, ${sum.restarts} process restarts; ` +
      `${sum.lost} turns lost.`;
    const readme = readFileSync(README, 'utf8');
    const a = readme.indexOf(START);
    const b = readme.indexOf(END);
    if (a < 0 || b < a) return;
    writeFileSync(README, `${readme.slice(0, a + START.length)}\n${line}\n${readme.slice(b)}`);
  });
}
