/**
 * Flow files are input too: huge files, deep nesting, alias bombs and duplicate keys are refused
 * with a clear, located error, without exhausting time or memory.
 */
import { describe, expect, it } from 'vitest';
import { parseYaml } from '../../src/flow/yaml.ts';
import { reportTally, tally } from './tally.ts';

reportTally(import.meta.filename);

describe('hostile flow files', () => {
  it('refuses a file over the size limit before parsing it', () => {
    const huge = `id: x\nfiller: "${'a'.repeat(2_000_000)}"\n`;
    const parsed = parseYaml('flows/huge.yaml', huge);
    tally.badInputs++;
    expect(parsed.problems[0]?.message).toMatch(/larger than 1000000 bytes/);
    expect(parsed.value).toBeUndefined();
  });

  it('refuses nesting deeper than the limit', () => {
    const deep = `${'['.repeat(200)}${']'.repeat(200)}\n`;
    tally.badInputs++;
    expect(parseYaml('flows/deep.yaml', deep).problems[0]?.message).toMatch(/nesting deeper than 40/);
  });

  it('refuses an alias bomb instead of expanding it', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    }
    tally.badInputs++;
    const parsed = parseYaml('flows/bomb.yaml', `${levels.join('\n')}\n`);
    expect(parsed.problems.map((p) => p.message).join(' ')).toMatch(/alias/i);
  });

  it('names the line of a duplicate key', () => {
    const parsed = parseYaml('flows/dup.yaml', 'id: a\ntitle: t\nid: b\n');
    tally.badInputs++;
    expect(parsed.problems[0]).toMatchObject({ file: 'flows/dup.yaml', line: 3 });
    expect(parsed.problems[0]?.message).toMatch(/unique/);
  });
});
