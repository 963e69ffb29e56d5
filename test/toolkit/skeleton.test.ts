import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runPaths } from '../../src/cli/paths.ts';
import { type Bundle, loadBundle } from '../../src/index.ts';
import { readConvo } from '../../src/toolkit/convo.ts';
import { runSuite } from '../../src/toolkit/suite.ts';
import { assembleFlows, collect, TOOLKIT_CONVOS, TOOLKIT_FLOWS, tempDir } from './helpers.ts';

let dir: string;
let bundle: Bundle;
beforeAll(async () => {
  dir = assembleFlows(TOOLKIT_FLOWS);
  bundle = await loadBundle(dir);
});

describe('safestep paths FLOW --uncovered', () => {
  it('writes skeleton scripts that walk the uncovered transitions and only lack what the bot says', async () => {
    const out = tempDir();
    const c = collect();
    expect(
      await runPaths(
        'job-offer',
        { flowsDir: dir, uncovered: true, convos: [TOOLKIT_CONVOS], outDir: out },
        c.out,
      ),
    ).toBe(0);
    const files = readdirSync(out).sort();
    expect(files.length).toBeGreaterThan(0);
    expect(files.every((f) => /^job-offer\.en\.\d+\.convo\.yml$/.test(f))).toBe(true);
    expect(c.lines.at(-1)).toMatch(/^\d+ of 12 transitions uncovered; \d+ skeleton\(s\) written to /);
    // The uncovered transitions of the fixture scripts, each named in some skeleton's header.
    const all = files.map((f) => readFileSync(join(out, f), 'utf8')).join('\n');
    expect(all).toContain('#   fee → decide_risk on choice only_abroad ("Only for the visa")');
    expect(all).toContain('#   fee → decide_risk on route no');

    const convos = files.map((f) => {
      const parsed = readConvo(join(out, f), f);
      if (!parsed.ok)
        throw new Error(`${f} does not parse: ${parsed.problems.map((p) => p.message).join('; ')}`);
      return parsed.convo;
    });
    const { results } = await runSuite(bundle, convos);
    for (const r of results) {
      // Where the bot goes is right; only the placeholder for its words fails, on the last step.
      expect(r.failure?.kind).toBe('mismatch');
      if (r.failure?.kind !== 'mismatch') continue;
      expect(r.failure.step.index).toBe(r.convo.steps.length - 1);
      expect(r.failure.mismatches.map((m) => m.key)).toEqual(['says']);
    }

    // An author fills in the words: the skeletons pass.
    for (const f of files) {
      const path = join(out, f);
      writeFileSync(
        path,
        readFileSync(path, 'utf8').replace('"TODO: words the bot must say here"', '"to do now"'),
      );
    }
    const filled = files.map((f) => {
      const parsed = readConvo(join(out, f), f);
      if (!parsed.ok) throw new Error('unreadable');
      return parsed.convo;
    });
    expect((await runSuite(bundle, filled)).results.filter((r) => r.failure)).toEqual([]);
  });

  it('never overwrites a script, and numbers new ones after the existing', async () => {
    const out = tempDir();
    writeFileSync(join(out, 'job-offer.en.1.convo.yml'), '# mine\n');
    await runPaths(
      'job-offer',
      { flowsDir: dir, uncovered: true, convos: [TOOLKIT_CONVOS], outDir: out },
      collect().out,
    );
    expect(readFileSync(join(out, 'job-offer.en.1.convo.yml'), 'utf8')).toBe('# mine\n');
    expect(readdirSync(out)).toContain('job-offer.en.2.convo.yml');
  });

  it('prints instead of writing with --print, and needs a flow', async () => {
    const c = collect();
    expect(
      await runPaths(
        'triage',
        { flowsDir: dir, uncovered: true, convos: [TOOLKIT_CONVOS], print: true },
        c.out,
      ),
    ).toBe(0);
    expect(c.text()).toContain('--- 1 uncovered transition(s)');
    expect(c.text()).toContain('  - choose: job  # A job offer');
    expect(await runPaths(undefined, { flowsDir: dir, uncovered: true }, collect().out)).toBe(2);
  });
});
