import { describe, expect, it } from 'vitest';
import { normalize, tokenize } from '../../src/understand/normalize.ts';
import { compilePattern, PatternMatcher } from '../../src/understand/pattern.ts';
import { Speller, withinOneEdit } from '../../src/understand/typos.ts';

function matches(patterns: string[], text: string, longest = true): string[] {
  const m = new PatternMatcher(patterns.map((pattern) => ({ pattern, value: pattern })));
  return m.match(tokenize(normalize(text)), longest).map((h) => h.value);
}

describe('the pattern language', () => {
  it('matches English words whole, never inside another word', () => {
    expect(matches(['scam'], 'is this a scam?')).toEqual(['scam']);
    expect(matches(['scam'], 'scampi for dinner')).toEqual([]);
  });
  it('matches Chinese anywhere, with or without spaces', () => {
    expect(matches(['安全账户'], '要我转到安全账户里')).toEqual(['安全账户']);
    expect(matches(['安全账户'], '安全 账户')).toEqual(['安全账户']);
  });
  it('matches word endings with a stem', () => {
    expect(matches(['kidnap*'], 'my son was kidnapped')).toEqual(['kidnap*']);
    expect(matches(['kidnap*'], 'a kidnapping call')).toEqual(['kidnap*']);
  });
  it('lets ... skip a few words or characters, and no more', () => {
    expect(matches(['took ... passport'], 'they took my passport')).toEqual(['took ... passport']);
    expect(matches(['took ... passport'], 'they took passport')).toEqual(['took ... passport']);
    expect(
      matches(['took ... passport'], 'took the bus to town and then went home to find my passport'),
    ).toEqual([]);
    expect(matches(['不让 ... 离开'], '公司不让我们离开')).toEqual(['不让 ... 离开']);
  });
  it('matches numbers with #, in digits or Chinese numerals', () => {
    expect(matches(['# a day'], 'earn 300 a day')).toEqual(['# a day']);
    expect(matches(['# a day'], 'earn 3,000 a day')).toEqual(['# a day']);
    expect(matches(['月薪#'], '月薪两万')).toEqual(['月薪#']);
    expect(matches(['# a day'], 'earn a lot a day')).toEqual([]);
  });
  it('resolves overlapping matches to the longest when asked', () => {
    expect(matches(['paid', 'not paid'], 'not paid yet')).toEqual(['not paid']);
    expect(matches(['有', '没有'], '没有')).toEqual(['没有']);
    expect(matches(['paid', 'not paid'], 'not paid yet', false).sort()).toEqual(['not paid', 'paid']);
  });
  it('rejects patterns that could never work, saying why', () => {
    expect(compilePattern('... abroad')).toMatchObject({ ok: false });
    expect(compilePattern('li*')).toMatchObject({ ok: false });
    expect(compilePattern('#')).toMatchObject({ ok: false });
    expect(compilePattern('a ... ... b')).toMatchObject({ ok: false });
    expect(compilePattern('Took ... PASSPORT')).toMatchObject({ ok: true, key: 'took ... passport' });
  });
});

describe('typos', () => {
  it('knows one edit from two', () => {
    expect(withinOneEdit('recruter', 'recruiter')).toBe(true);
    expect(withinOneEdit('recieve', 'receive')).toBe(true);
    expect(withinOneEdit('pasport', 'passport')).toBe(true);
    expect(withinOneEdit('salary', 'sugary')).toBe(false);
  });
  it('corrects a misspelt word to the pattern word one edit away, not short or known words', () => {
    const s = new Speller(['recruiter', 'passport', 'police', 'scam'], ['kidnap']);
    expect(s.suggest('recruter')).toBe('recruiter');
    expect(s.suggest('pasport')).toBe('passport');
    expect(s.suggest('polise')).toBe('police');
    expect(s.suggest('scma')).toBeUndefined();
    expect(s.suggest('kidnapped')).toBeUndefined();
    expect(s.suggest('passport')).toBeUndefined();
  });
  it('makes multi-word phrases match with a typo inside', () => {
    const m = new PatternMatcher([{ pattern: 'took ... passport', value: 'x' }]);
    const s = new Speller(m.words());
    expect(m.match(s.correct(tokenize(normalize('they took my pasport'))), true)).toHaveLength(1);
  });
});

describe('choices in a pattern', () => {
  it('matches any one of several words or phrases', () => {
    const p = "(don't|won't|not) let ... (go|leave|out)";
    expect(matches([p], 'they dont let us go out')).toEqual([p]);
    expect(matches([p], 'they will not let me leave')).toEqual([p]);
    expect(matches([p], 'let me go')).toEqual([]);
    expect(matches(['(护照|证件) ... (收|扣|拿走)'], '公司把我们的证件都收了')).toHaveLength(1);
  });
  it('rejects empty or unbalanced choices', () => {
    expect(compilePattern('(a|)')).toMatchObject({ ok: false });
    expect(compilePattern('x (y')).toMatchObject({ ok: false });
  });
});
