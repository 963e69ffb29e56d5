import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FlowLoadError, formatProblem, loadBundle, validateFlows } from '../../src/index.ts';
import { BASIC, tempDir } from './helpers.ts';

const BROKEN = join(import.meta.dirname, '..', 'fixtures', 'broken');

/** Each fixture is a job-offer.yaml with one mistake; its first line says what the error must be. */
const cases = readdirSync(BROKEN).filter((f) => f.endsWith('.yaml'));

function folderWith(fixture: string): string {
  const dir = join(tempDir(), 'flows');
  cpSync(BASIC, dir, { recursive: true, dereference: true, filter: (src) => existsSync(src) });
  writeFileSync(join(dir, 'job-offer.yaml'), readFileSync(join(BROKEN, fixture)));
  return dir;
}

describe('a broken flow is rejected before anything runs, naming file, line and what is wrong', () => {
  it('the untouched fixture folder is valid', () => {
    expect(validateFlows(BASIC).filter((p) => p.severity === 'error')).toEqual([]);
  });

  for (const fixture of cases) {
    it(fixture, async () => {
      const expected = new RegExp(/^# expect: (.*)$/m.exec(readFileSync(join(BROKEN, fixture), 'utf8'))![1]!);
      const dir = folderWith(fixture);
      const lines = validateFlows(dir).map(formatProblem);
      expect(
        lines.some((l) => expected.test(l)),
        `got:\n${lines.join('\n')}`,
      ).toBe(true);
      await expect(loadBundle(dir)).rejects.toBeInstanceOf(FlowLoadError);
    });
  }
});
