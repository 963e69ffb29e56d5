/**
 * A phrase matcher: many phrases, one pass per message. English phrases match whole words (and,
 * for single words of 5+ letters, one typo); Chinese phrases match anywhere. Overlapping matches
 * resolve to the longest, so "not paid" beats "paid" and "没有" beats "有".
 */
import { normalize } from './normalize.ts';

export interface PhraseHit<T> {
  value: T;
  phrase: string;
  start: number;
  end: number;
}

interface Entry<T> {
  phrase: string;
  values: T[];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const hasHan = (s: string) => /\p{Script=Han}/u.test(s);

export class PhraseMatcher<T> {
  private readonly regex: RegExp | null;
  private readonly byPhrase = new Map<string, Entry<T>>();
  /** Single English words for typo-tolerant matching, bucketed by length. */
  private readonly fuzzy = new Map<number, Entry<T>[]>();

  constructor(pairs: Iterable<[phrase: string, value: T]>) {
    for (const [raw, value] of pairs) {
      const phrase = normalize(raw);
      if (!phrase) continue;
      const e = this.byPhrase.get(phrase) ?? { phrase, values: [] };
      e.values.push(value);
      this.byPhrase.set(phrase, e);
    }
    for (const e of this.byPhrase.values()) {
      if (/^[a-z]{5,}$/.test(e.phrase)) {
        const list = this.fuzzy.get(e.phrase.length) ?? [];
        list.push(e);
        this.fuzzy.set(e.phrase.length, list);
      }
    }
    // Longest first: at each position the regex engine then prefers the longest phrase.
    const alternatives = [...this.byPhrase.keys()]
      .sort((a, b) => b.length - a.length)
      .map((p) =>
        hasHan(p) ? escape(p) : `(?<![\\p{L}\\p{N}])${escape(p).replace(/ /g, '\\s')}(?![\\p{L}\\p{N}])`,
      );
    this.regex = alternatives.length > 0 ? new RegExp(alternatives.join('|'), 'gu') : null;
  }

  /** Matches in an already normalised text. */
  match(text: string): PhraseHit<T>[] {
    const hits: PhraseHit<T>[] = [];
    if (!this.regex) return hits;
    this.regex.lastIndex = 0;
    for (let m = this.regex.exec(text); m; m = this.regex.exec(text)) {
      const e = this.byPhrase.get(m[0]);
      if (e)
        for (const value of e.values)
          hits.push({ value, phrase: e.phrase, start: m.index, end: m.index + m[0].length });
      if (m[0].length === 0) this.regex.lastIndex++;
    }
    if (this.fuzzy.size > 0) this.matchTypos(text, hits);
    return hits;
  }

  private matchTypos(text: string, hits: PhraseHit<T>[]): void {
    const covered = (s: number, e: number) => hits.some((h) => h.start < e && s < h.end);
    for (const w of text.matchAll(/[a-z]{5,14}/g)) {
      const word = w[0];
      const start = w.index;
      if (covered(start, start + word.length)) continue;
      for (const len of [word.length - 1, word.length, word.length + 1]) {
        for (const e of this.fuzzy.get(len) ?? []) {
          if (e.phrase !== word && withinOneEdit(word, e.phrase)) {
            for (const value of e.values)
              hits.push({ value, phrase: e.phrase, start, end: start + word.length });
          }
        }
      }
    }
  }
}

/** True when a and b differ by one insertion, deletion, substitution or adjacent swap. */
export function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  const [long, short] = a.length > b.length ? [a, b] : [b, a];
  return long.slice(i + 1) === short.slice(i);
}

export { normalize };
