import { describe, expect, it } from 'vitest';
import { parseConvo } from '../../src/toolkit/convo.ts';
import { checkExpect } from '../../src/toolkit/expect.ts';
import type { Observed } from '../../src/toolkit/observed.ts';

const seen: Observed = {
  replies: [
    { text: 'Is the job in your country\nor abroad?', choices: [{ id: 'abroad', label: 'Abroad' }] },
    { text: 'Second message', choices: [{ id: 'home', label: 'At home' }] },
  ],
  flow: 'job-offer',
  state: 'where',
  risk: 'medium',
  flags: ['overseas'],
  outcome: null,
};

describe('convo files', () => {
  it('keeps the line of every step and of every expectation', () => {
    const text = [
      'title: t',
      'region: UK',
      'steps:',
      '  - command: start',
      '    flow: job-offer',
      '    expect:',
      '      state: where',
      '      offers: [abroad]',
      '  - choose: abroad',
      '  - text: "1"',
    ].join('\n');
    const r = parseConvo('x.convo.yml', text);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.convo.locale).toBe('en');
    expect(r.convo.region).toBe('UK');
    expect(r.convo.steps.map((s) => s.at.line)).toEqual([4, 9, 10]);
    expect(r.convo.steps[0]!.expectAt.offers?.line).toBe(8);
    expect(r.convo.steps[0]!.action).toEqual({ kind: 'command', command: 'start', flow: 'job-offer' });
    expect(r.convo.steps[2]!.action).toEqual({ kind: 'text', text: '1' });
  });

  it('says where a step is malformed', () => {
    const text = [
      'title: t',
      'steps:',
      '  - choose: abroad',
      '  - text: hi',
      '    choose: home',
      '    expect: { stat: x }',
    ].join('\n');
    const r = parseConvo('bad.convo.yml', text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const lines = r.problems.map((p) => `${p.file}:${p.line} ${p.message}`);
    expect(lines).toContainEqual(expect.stringMatching(/^bad\.convo\.yml:4 a step does exactly one thing/));
    expect(lines).toContainEqual(expect.stringMatching(/^bad\.convo\.yml:6 .*stat/));
  });

  it('rejects a flow without command start, and unknown commands', () => {
    const r = parseConvo('f.convo.yml', 'title: t\nsteps:\n  - choose: a\n    flow: x\n  - command: fly\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.line).sort()).toEqual([3, 5]);
  });
});

describe('expectations', () => {
  it('hold on what the bot did, case- and line-break-insensitively', () => {
    expect(
      checkExpect(
        {
          flow: 'job-offer',
          state: 'where',
          says: ['COUNTRY or abroad', 'second'],
          offers: ['abroad', 'home'],
          not_offers: 'paid',
          flags: 'overseas',
          risk: 'medium',
          outcome: null,
        },
        seen,
      ),
    ).toEqual([]);
  });

  it('report every mismatch with what actually happened', () => {
    const m = checkExpect(
      {
        state: 'fee',
        says: 'passport',
        not_says: 'abroad',
        offers: ['paid'],
        not_offers: ['home'],
        risk: 'high',
        flags: ['fee'],
        outcome: 'high',
        resources: ['police'],
      },
      seen,
    );
    const byKey = Object.fromEntries(m.map((x) => [x.key, x]));
    expect(Object.keys(byKey).sort()).toEqual([
      'flags',
      'not_offers',
      'not_says',
      'offers',
      'outcome',
      'resources',
      'risk',
      'says',
      'state',
    ]);
    expect(byKey.state).toMatchObject({ expected: 'fee', actual: 'where' });
    expect(byKey.offers!.actual).toBe('offered: abroad, home');
    expect(byKey.outcome).toMatchObject({ expected: 'high', actual: 'no outcome' });
    expect(byKey.flags!.actual).toBe('recorded: overseas');
  });
});
