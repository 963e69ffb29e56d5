import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runPaths } from '../../src/cli/paths.ts';
import { type Bundle, loadBundle } from '../../src/index.ts';
import { explore, walkContexts } from '../../src/toolkit/explore.ts';
import { checkPaths } from '../../src/toolkit/pathcheck.ts';
import { checkOutcomeRendering } from '../../src/toolkit/rendering.ts';
import { assembleFlows, collect, FIXTURES, TOOLKIT_FLOWS } from './helpers.ts';

let dir: string;
let bundle: Bundle;
beforeAll(async () => {
  dir = assembleFlows(TOOLKIT_FLOWS);
  bundle = await loadBundle(dir);
});

describe('generated paths through the fixture flows', () => {
  it('walk once per locale/region that a guard tells apart', () => {
    expect(walkContexts(bundle)).toEqual([
      { locale: 'en', region: null },
      { locale: 'en', region: 'UK' },
    ]);
  });

  it('reach every state, trap nowhere, open emergency from everywhere, render every outcome', async () => {
    const report = await checkPaths(bundle);
    expect(report.problems).toEqual([]);
    expect(report.exploration.unreachable).toEqual([]);
    // uk_check is only reached with region UK: the walk with that region finds it.
    const uk = report.exploration.walks.find((w) => w.context.region === 'UK')!;
    expect([...uk.situations.values()].some((s) => s.place.state === 'uk_check')).toBe(true);
    // 2 locales × (3 regions + unknown) for three outcomes; with region UK a job without a fee
    // ends in uk_check, elsewhere in low_risk: each renders only where a person can reach it.
    expect(report.rendered).toBe(2 * (3 * 4 + 3 + 1));
  });

  it('find the injected dead end, with file:line and how to get there', async () => {
    const deadEnd = await loadBundle(assembleFlows(TOOLKIT_FLOWS, join(FIXTURES, 'toolkit-dead-end')));
    const report = await checkPaths(deadEnd, undefined, { render: false });
    expect(report.problems.map((p) => [p.kind, p.state])).toEqual([['trap', 'contract']]);
    const [trap] = report.problems;
    expect(trap!.at.file).toMatch(/job-offer\.yaml$/);
    expect(trap!.at.line).toBe(24);
    expect(trap!.message).toContain('reached by choose job → choose abroad → choose contract_first');
  });

  it('notice when /emergency would not open the emergency flow', () => {
    // The machine still jumps to `emergency`; a settings file naming another flow disagrees with it.
    const wrong = { ...bundle, config: { ...bundle.config, emergency: 'triage' } };
    const { walks } = explore(wrong);
    const places = new Set([...walks[0]!.situations.values()].map((s) => `${s.place.flow}.${s.place.state}`));
    expect(
      walks[0]!.noEmergency.map((n) => `${n.situation.place.flow}.${n.situation.place.state}`).sort(),
    ).toEqual([...places].sort());
    expect(walks[0]!.noEmergency[0]!.landed.flow).toBe('emergency');
  });

  it('notice an outcome whose contact shows nothing for a region', async () => {
    const resources = new Map(bundle.resources);
    const report = resources.get('tk_report')!;
    resources.set('tk_report', { ...report, regions: { UK: report.regions.UK! } });
    const broken = { ...bundle, resources } as Bundle;
    const r = await checkOutcomeRendering(broken, explore(broken), (p) => p.state === 'high_risk');
    const messages = [...new Set(r.problems.map((p) => `${p.region ?? 'unknown'}: ${p.message}`))].sort();
    expect(messages).toEqual([
      'CN: resource tk_report shows no contact for region CN (no entry, no default, or only UNVERIFIED numbers)',
      'default: resource tk_report shows no contact for region default (no entry, no default, or only UNVERIFIED numbers)',
      'unknown: resource tk_report shows no contact for region unknown (no entry, no default, or only UNVERIFIED numbers)',
    ]);
    expect(r.problems[0]!.at.line).toBe(31);
  });
});

describe('safestep paths', () => {
  it('prints the way to each outcome and exits 0 on sound flows', async () => {
    const c = collect();
    expect(await runPaths('job-offer', { flowsDir: dir }, c.out)).toBe(0);
    // Shortest ways; abroad and home are equally short.
    expect(c.text()).toMatch(/→ high_risk \(high\): choose job → choose (abroad|home) → choose paid_fee\n/);
    expect(c.text()).toMatch(
      /→ uk_check \(medium\): choose job → choose (abroad|home) → choose no_fee \(region UK\)\n/,
    );
    expect(c.lines.at(-1)).toMatch(
      /^every state reachable, no trap, emergency from every state, \d+ outcome renderings checked$/,
    );
  });

  it('exits 1 on the dead end', async () => {
    const c = collect();
    expect(
      await runPaths(
        undefined,
        { flowsDir: assembleFlows(TOOLKIT_FLOWS, join(FIXTURES, 'toolkit-dead-end')) },
        c.out,
      ),
    ).toBe(1);
    expect(c.text()).toMatch(/job-offer\.yaml:24:5 trap: no outcome can be reached from job-offer\.contract/);
  });
});
