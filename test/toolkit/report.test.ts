import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runTest } from '../../src/cli/test.ts';
import { type Bundle, loadBundle } from '../../src/index.ts';
import { openEngineChannel } from '../../src/toolkit/channels/engine.ts';
import { readConvo } from '../../src/toolkit/convo.ts';
import { formatFailure } from '../../src/toolkit/report.ts';
import { runConvo } from '../../src/toolkit/runner.ts';
import { assembleFlows, collect, FIXTURES, TOOLKIT_CONVOS, TOOLKIT_FLOWS } from './helpers.ts';

const WRONG = join(FIXTURES, 'toolkit-wrong-convo', 'wrong.convo.yml');
let dir: string;
let bundle: Bundle;
beforeAll(async () => {
  dir = assembleFlows(TOOLKIT_FLOWS);
  bundle = await loadBundle(dir);
});

describe('a deliberately wrong scripted conversation', () => {
  it('fails at its step, with file:line, expected against actual, and what the bot said and offered', async () => {
    const parsed = readConvo(WRONG, 'wrong.convo.yml');
    if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('\n'));
    const channel = await openEngineChannel(bundle);
    const result = await runConvo(parsed.convo, channel, 'u-wrong');
    await channel.close();
    expect(result.failure?.step.index).toBe(2);
    expect(result.seen).toHaveLength(3); // the fourth step never ran
    const text = formatFailure(result).join('\n');
    expect(text).toContain('wrong.convo.yml:11:5 step 3 (text: "2")');
    expect(text).toMatch(/state\s+expected: high_risk {2}\(line 13\)\n\s+actual: {3}low_risk/);
    expect(text).toMatch(/says\s+expected: a reply containing "this scam" {2}\(line 14\)/);
    expect(text).toMatch(/outcome\s+expected: high {2}\(line 15\)\n\s+actual: {3}low/);
    expect(text).toContain('│ Good instinct to check.');
    expect(text).toContain('│ buttons: [_evidence]');
    expect(text).toContain('now: job-offer.low_risk');
  });

  it('makes `safestep test` exit 1 and count it, while the right ones pass', async () => {
    const c = collect();
    const code = await runTest([TOOLKIT_CONVOS, WRONG], { flowsDir: dir }, c.out);
    expect(code).toBe(1);
    expect(c.lines.at(-1)).toBe('4 passed, 1 failed');
    expect(c.text()).toContain('✗ Abroad, no fee (wrong expectation) [engine]');
  });

  it('passes the good scripts with exit 0', async () => {
    const c = collect();
    expect(await runTest([TOOLKIT_CONVOS], { flowsDir: dir, verbose: true }, c.out)).toBe(0);
    expect(c.lines.filter((l) => l.startsWith('✓'))).toHaveLength(4);
    expect(c.lines.at(-1)).toBe('4 passed, 0 failed');
  });

  it('reports a malformed file as a failure with its line, and no files at all as a failure', async () => {
    const bad = join(assembleFlows(), 'bad.convo.yml');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(bad, 'title: x\nsteps:\n  - choose: a\n    text: b\n');
    const c = collect();
    expect(await runTest([bad], { flowsDir: dir }, c.out)).toBe(1);
    expect(c.text()).toMatch(/bad\.convo\.yml:3:\d+ error: a step does exactly one thing/);
    const none = collect();
    expect(await runTest([join(FIXTURES, 'toolkit-dead-end')], { flowsDir: dir }, none.out)).toBe(1);
    expect(none.text()).toContain('no *.convo.yml files');
  });

  it('refuses a script naming ids no flow has, instead of letting `not_offers` pass forever', async () => {
    const typo = join(assembleFlows(), 'typo.convo.yml');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      typo,
      'title: x\nregion: XX\nsteps:\n  - command: start\n    flow: job-offr\n  - choose: abroad\n    expect:\n      state: fe\n      not_offers: [paid_fe]\n      resources: [tk_polic]\n',
    );
    const c = collect();
    expect(await runTest([typo], { flowsDir: dir }, c.out)).toBe(1);
    const text = c.text();
    expect(text).toContain('region "XX" is not one of CN, UK, default');
    expect(text).toMatch(/typo\.convo\.yml:4:\d+ error: unknown flow "job-offr"/);
    expect(text).toMatch(/typo\.convo\.yml:8:\d+ error: no state "fe" in any flow/);
    expect(text).toMatch(/typo\.convo\.yml:9:\d+ error: not_offers: no flow has a choice "paid_fe"/);
    expect(text).toMatch(/typo\.convo\.yml:10:\d+ error: unknown resource "tk_polic"/);
    expect(c.lines.at(-1)).toBe('0 passed, 1 failed');
  });

  it('prints every load problem with file:line when the flows are broken', async () => {
    const c = collect();
    expect(await runTest([TOOLKIT_CONVOS], { flowsDir: join(FIXTURES, 'broken') }, c.out)).toBe(1);
    expect(c.text()).toMatch(/\.yaml:\d+:\d+ error: /);
  });
});
