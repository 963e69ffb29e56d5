/**
 * Typo tolerance: a word of 5+ letters that no pattern knows is replaced by the pattern word one
 * edit away (one letter missing, extra, wrong, or two letters swapped): "recruter" → "recruiter",
 * "pasport" → "passport". Lookups go through an index of every known word with one letter deleted
 * (symmetric deletion), so the cost per message word is a few map lookups, not a scan.
 */
import type { Token } from './normalize.ts';

const MIN_LENGTH = 5;

export class Speller {
  private readonly known: Set<string>;
  private readonly stems: string[];
  private readonly byDeletion = new Map<string, string[]>();

  constructor(words: Iterable<string>, stems: Iterable<string> = []) {
    this.known = new Set(words);
    this.stems = [...new Set(stems)];
    for (const w of [...this.known].sort()) {
      if (w.length < MIN_LENGTH) continue;
      for (const key of [w, ...deletions(w)]) {
        const list = this.byDeletion.get(key);
        if (!list) this.byDeletion.set(key, [w]);
        else if (!list.includes(w)) list.push(w);
      }
    }
  }

  /** The closest known word, or undefined when the word is known, a stem covers it, or nothing is near. */
  suggest(word: string): string | undefined {
    if (word.length < MIN_LENGTH || this.known.has(word)) return undefined;
    if (this.stems.some((s) => word.startsWith(s))) return undefined;
    let best: string | undefined;
    for (const key of [word, ...deletions(word)]) {
      for (const candidate of this.byDeletion.get(key) ?? []) {
        if (candidate.length < MIN_LENGTH || !withinOneEdit(word, candidate)) continue;
        // Prefer a same-length word (a wrong or swapped letter), then the alphabetically first.
        if (
          !best ||
          (candidate.length === word.length && best.length !== word.length) ||
          ((candidate.length === word.length) === (best.length === word.length) && candidate < best)
        ) {
          best = candidate;
        }
      }
    }
    return best;
  }

  /** Tokens with misspelt words replaced; positions stay those of the words as typed. */
  correct(tokens: Token[]): Token[] {
    let out: Token[] | undefined;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.kind !== 'word') continue;
      const fixed = this.suggest(t.text);
      if (!fixed) continue;
      out ??= [...tokens];
      out[i] = { ...t, text: fixed };
    }
    return out ?? tokens;
  }
}

function deletions(word: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < word.length; i++) out.push(word.slice(0, i) + word.slice(i + 1));
  return out;
}

/** True when a and b differ by one insertion, deletion, substitution or adjacent swap. */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
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
