import { beforeAll, describe, expect, it } from 'vitest';
import { runCoverage } from '../../src/cli/coverage.ts';
import { type Bundle, loadBundle } from '../../src/index.ts';
import { openEngineChannel } from '../../src/toolkit/channels/engine.ts';
import { CoverageCollector } from '../../src/toolkit/coverage.ts';
import { findConvoFiles, loadConvos, runSuite } from '../../src/toolkit/suite.ts';
import { flowTransitions } from '../../src/toolkit/transitions.ts';
import { assembleFlows, collect, TOOLKIT_CONVOS, TOOLKIT_FLOWS } from './helpers.ts';

let dir: string;
let bundle: Bundle;
beforeAll(async () => {
  dir = assembleFlows(TOOLKIT_FLOWS);
  bundle = await loadBundle(dir);
});

describe('transitions a flow declares', () => {
  it('counts choices, routes, and every guarded decision both ways', async () => {
    const keys = flowTransitions(bundle.flows.get('job-offer')!).map((t) => t.key);
    expect(keys).toEqual([
      'where choice:abroad',
      'where choice:home',
      'fee choice:paid_fee',
      'fee choice:no_fee',
      'fee choice:only_abroad',
      'fee route:yes',
      'fee route:no',
      'decide_risk decide:0+',
      'decide_risk decide:0-',
      'decide_risk decide:1+',
      'decide_risk decide:1-',
      'decide_risk decide:2+',
    ]);
  });
});

describe('coverage of the scripted conversations', () => {
  it('reports real figures per flow and lists what is missing with file:line', async () => {
    const { convos } = loadConvos(findConvoFiles([TOOLKIT_CONVOS]));
    const { coverage, results } = await runSuite(bundle, convos);
    expect(results.filter((r) => r.failure)).toEqual([]);
    const [emergency, job, triage] = coverage.report(bundle, ['emergency', 'job-offer', 'triage']);
    expect(triage!.transitions).toMatchObject({ total: 2, covered: 1 });
    expect(triage!.transitions.missing.map((m) => m.transition.key)).toEqual(['what choice:job']);
    expect(emergency!.states).toMatchObject({ total: 3, covered: 2 });
    expect(emergency!.states.missing[0]).toMatchObject({ state: 'safe_steps', at: { line: 16 } });
    const missing = job!.transitions.missing.map((m) => `${m.transition.key} @${m.at.line}`);
    // Typed "1" on fee presses paid_fee; typed "yes" is the yes route; no script types "no" or has the visa fee.
    expect(missing).toEqual(expect.arrayContaining(['fee choice:only_abroad @16', 'fee route:no @23']));
    expect(job!.states.missing.map((m) => m.state)).toEqual(['low_risk']);
    expect(job!.transitions.total).toBe(12);
  });

  it('`safestep coverage --min` exits 1 below the floor and 0 at or above it', async () => {
    const low = collect();
    expect(await runCoverage([TOOLKIT_CONVOS], { flowsDir: dir, min: 90 }, low.out)).toBe(1);
    expect(low.text()).toMatch(/^job-offer {2}\d+\/12 \(\d+(\.\d)?%\)/m);
    expect(low.text()).toContain('below 90% transition coverage: emergency (50%)');
    expect(low.text()).toMatch(/job-offer\.yaml:23:9 {2}fee → decide_risk on route no/);
    const ok = collect();
    expect(
      await runCoverage([TOOLKIT_CONVOS], { flowsDir: dir, min: 50, flow: ['triage', 'emergency'] }, ok.out),
    ).toBe(0);
    expect(ok.text()).not.toMatch(/^job-offer /m);
    const bad = collect();
    expect(await runCoverage([TOOLKIT_CONVOS], { flowsDir: dir, flow: ['nope'] }, bad.out)).toBe(2);
  });

  // The engine's trace must replay decisions with the context after the step, or coverage names the
  // wrong branch whenever a choice records the flag the next decision reads.
  it('sees the flag a choice records in the decision right after it', async () => {
    const coverage = new CoverageCollector(bundle);
    const channel = await openEngineChannel(bundle, coverage.trace);
    const hints = { locale: 'en' };
    await channel.send('u1', { kind: 'command', command: 'start', flow: 'job-offer' }, hints);
    await channel.send('u1', { kind: 'choose', id: 'home' }, hints);
    const last = await channel.send('u1', { kind: 'choose', id: 'paid_fee' }, hints);
    await channel.close();
    expect(last.state).toBe('high_risk');
    const [job] = coverage.report(bundle, ['job-offer']);
    const missing = job!.transitions.missing.map((m) => m.transition.key);
    expect(missing).not.toContain('decide_risk decide:0+');
  });
});
