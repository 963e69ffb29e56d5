import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../src/flow/problems.ts';
import { loadUnderstanding } from '../../src/understand/load.ts';

const BAD = join(import.meta.dirname, 'fixtures', 'bad');

describe('loading flows/understanding', () => {
  const { problems, intentIds, flagIds, understanding } = loadUnderstanding(BAD);
  const lines = problems.map(formatProblem);

  it('names the file, line and column of every problem, saying what is wrong', () => {
    expect(lines).toEqual(
      expect.arrayContaining([
        'bad/understanding/one.yaml:4:25 error: "..." belongs between words: "... abroad"',
        'bad/understanding/one.yaml:8:18 error: "li*" is too short a stem (at least 3 letters)',
        'bad/understanding/one.yaml:11:29 warning: "yes" is listed twice',
        'bad/understanding/one.yaml:6:16 error: unknown intent "no-such-intent"',
        'bad/understanding/one.yaml:14:15 error: flag "not_a_flag" is not defined in flows/flags/ (define it there, or use an existing id)',
        'bad/understanding/two.yaml:3:5 error: "job-offer" is already defined in bad/understanding/one.yaml (intents)',
        'bad/understanding/two.yaml:5:25 error: "#" has no word to match',
      ]),
    );
    expect(
      lines.some((l) => l.startsWith('bad/understanding/three.yaml:2:3 error:') && l.includes('sleepy')),
    ).toBe(true);
  });

  it('still works with what is valid, so one bad line does not silence the rest', () => {
    expect(intentIds).toEqual(['job-offer', 'task-scam', 'yes']);
    expect(flagIds).toContain('safe_account');
    expect(understanding.analyze('they took me to a safe account, 刷单', { locale: 'en' })).toMatchObject({
      intents: [{ id: 'task-scam' }],
      flags: [{ id: 'safe_account', level: 'critical' }],
    });
    expect(understanding.analyze('locked in', { locale: 'en' }).danger).toEqual(['detained']);
  });

  it('loads the real flows folder without a problem', () => {
    expect(
      loadUnderstanding(join(import.meta.dirname, '..', '..', 'flows')).problems.map(formatProblem),
    ).toEqual([]);
  });
});
