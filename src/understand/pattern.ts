/**
 * The pattern language authors write in flows/understanding/*.yaml, and a matcher that runs many
 * patterns over one message in a single pass over its tokens.
 *
 *   job offer      words in this order (English words match whole words)
 *   安全账户        Chinese characters match anywhere, spaces or not
 *   kidnap*        any word that starts with "kidnap" (kidnapped, kidnapping)
 *   took ... passport   up to GAP_MAX words or characters in between ("took my passport")
 *   日薪#, # a day  a number: 3000, 3,000, 两万
 *   (don't|won't) let ... go    one of several words or phrases: (护照|证件) ... 收
 *
 * Case, full-width letters, Traditional characters and apostrophes never matter (see normalize).
 */
import { HAN_NUMERALS, normalize, type Token, tokenize } from './normalize.ts';

/** What `...` may skip: a few words, or a short clause of Chinese characters. */
export const GAP_MAX = 5;
const STEM_MIN = 3;

type Simple = { kind: 'literal'; text: string } | { kind: 'stem'; text: string } | { kind: 'number' };

export type Element = Simple | { kind: 'gap' } | { kind: 'any'; options: Simple[][] };

export type Compiled = { ok: true; elements: Element[]; key: string } | { ok: false; error: string };

export function compilePattern(source: string): Compiled {
  const text = normalize(source);
  const elements: Element[] = [];
  for (const part of text.split(/(\.\.\.|#|\([^()]*\))/)) {
    if (part === '...') elements.push({ kind: 'gap' });
    else if (part === '#') elements.push({ kind: 'number' });
    else if (part.startsWith('(') && part.endsWith(')')) {
      const options: Simple[][] = [];
      for (const option of part.slice(1, -1).split('|')) {
        const c = simpleElements(option, source);
        if (typeof c === 'string') return { ok: false, error: c };
        if (c.length === 0) return { ok: false, error: `an empty choice in "${part}": "${source}"` };
        options.push(c);
      }
      elements.push({ kind: 'any', options });
    } else {
      if (/[()|]/.test(part)) return { ok: false, error: `unbalanced "(", ")" or "|": "${source}"` };
      const c = simpleElements(part, source);
      if (typeof c === 'string') return { ok: false, error: c };
      elements.push(...c);
    }
  }
  if (!elements.some((e) => e.kind === 'literal' || e.kind === 'stem' || e.kind === 'any'))
    return { ok: false, error: `"${source}" has no word to match` };
  if (elements[0]!.kind === 'gap' || elements.at(-1)!.kind === 'gap')
    return { ok: false, error: `"..." belongs between words: "${source}"` };
  if (elements.some((e, i) => e.kind === 'gap' && elements[i + 1]?.kind === 'gap'))
    return { ok: false, error: `two "..." in a row: "${source}"` };
  return { ok: true, elements, key: elements.map(keyOf).join(' ') };
}

/** Words, stems and numbers of a piece without gaps or choices; a string is an error. */
function simpleElements(part: string, source: string): Simple[] | string {
  const out: Simple[] = [];
  for (const piece of part.split(/(#)/)) {
    if (piece === '#') {
      out.push({ kind: 'number' });
      continue;
    }
    for (const t of tokenize(piece)) {
      if (piece[t.end] === '*') {
        if (t.kind !== 'word') return `"*" only follows a word: "${source}"`;
        if (t.text.length < STEM_MIN)
          return `"${t.text}*" is too short a stem (at least ${STEM_MIN} letters)`;
        out.push({ kind: 'stem', text: t.text });
      } else out.push({ kind: 'literal', text: t.text });
    }
  }
  return out;
}

function keyOf(e: Element): string {
  switch (e.kind) {
    case 'literal':
      return e.text;
    case 'stem':
      return `${e.text}*`;
    case 'number':
      return '#';
    case 'gap':
      return '...';
    case 'any':
      return `(${e.options.map((o) => o.map(keyOf).join(' ')).join('|')})`;
  }
}

export interface Hit<T> {
  value: T;
  /** The pattern as the author wrote it. */
  pattern: string;
  /** Token range [first, last + 1) and character range in the normalised text. */
  first: number;
  last: number;
  start: number;
  end: number;
}

interface Entry<T> {
  elements: Element[];
  sources: string[];
  values: T[];
}

export class PatternMatcher<T> {
  private readonly byKey = new Map<string, Entry<T>>();
  /** Entries by their first element: a literal word or character, a stem's first letters, or a number. */
  private readonly byLiteral = new Map<string, Entry<T>[]>();
  private readonly byStem = new Map<string, Entry<T>[]>();
  private readonly byNumber: Entry<T>[] = [];

  /**
   * Invalid patterns are skipped here; the loader reports them with their position. `compile`
   * lets the loader hand over patterns it has already compiled while checking them.
   */
  constructor(entries: Iterable<{ pattern: string; value: T }>, compile = compilePattern) {
    for (const { pattern, value } of entries) {
      const c = compile(pattern);
      if (!c.ok) continue;
      let e = this.byKey.get(c.key);
      if (!e) {
        e = { elements: c.elements, sources: [], values: [] };
        this.byKey.set(c.key, e);
        const head = c.elements[0]!;
        const heads = head.kind === 'any' ? head.options.map((o) => o[0]!) : [head as Simple];
        for (const h of new Map(heads.map((x) => [keyOf(x), x])).values()) {
          if (h.kind === 'literal') push(this.byLiteral, h.text, e);
          else if (h.kind === 'stem') push(this.byStem, h.text.slice(0, STEM_MIN), e);
          else if (!this.byNumber.includes(e)) this.byNumber.push(e);
        }
      }
      e.sources.push(pattern);
      e.values.push(value);
    }
  }

  /** Whole words the patterns contain, for typo correction. */
  words(): string[] {
    const out: string[] = [];
    for (const el of this.simples()) if (el.kind === 'literal' && /^[a-z]+$/.test(el.text)) out.push(el.text);
    return out;
  }

  stems(): string[] {
    return this.simples()
      .filter((el) => el.kind === 'stem')
      .map((el) => el.text);
  }

  /** Loops, not nested flatMap: this runs over every pattern at start, where flatMap is slow. */
  private simples(): Simple[] {
    const out: Simple[] = [];
    for (const e of this.byKey.values()) {
      for (const el of e.elements) {
        if (el.kind === 'any') for (const option of el.options) out.push(...option);
        else if (el.kind !== 'gap') out.push(el);
      }
    }
    return out;
  }

  /**
   * Every match in the tokens. With `longest`, overlapping matches resolve to the longest, so
   * "not paid" hides "paid" and 没有 hides 有; without it every match counts (danger words).
   */
  match(tokens: readonly Token[], longest: boolean): Hit<T>[] {
    const hits: Hit<T>[] = [];
    const tryAll = (list: readonly Entry<T>[] | undefined, i: number) => {
      if (!list) return;
      for (const e of list) {
        const end = matchFrom(e.elements, 0, tokens, i);
        if (end < 0) continue;
        for (let k = 0; k < e.values.length; k++) {
          hits.push({
            value: e.values[k]!,
            pattern: e.sources[k]!,
            first: i,
            last: end,
            start: tokens[i]!.start,
            end: tokens[end - 1]!.end,
          });
        }
      }
    };
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      tryAll(this.byLiteral.get(t.text), i);
      if (t.kind === 'word' && t.text.length >= STEM_MIN)
        tryAll(this.byStem.get(t.text.slice(0, STEM_MIN)), i);
      if (isNumeric(t)) tryAll(this.byNumber, i);
    }
    return longest ? keepLongest(hits) : hits;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const isNumeric = (t: Token) => t.kind === 'number' || (t.kind === 'han' && HAN_NUMERALS.has(t.text));

/** Token index just past the match, or -1. Gaps try the shortest skip first. */
function matchFrom(elements: readonly Element[], ei: number, tokens: readonly Token[], ti: number): number {
  if (ei === elements.length) return ti;
  const el = elements[ei]!;
  const t = tokens[ti];
  switch (el.kind) {
    case 'literal':
      return t && t.text === el.text ? matchFrom(elements, ei + 1, tokens, ti + 1) : -1;
    case 'stem':
      return t && t.kind === 'word' && t.text.startsWith(el.text)
        ? matchFrom(elements, ei + 1, tokens, ti + 1)
        : -1;
    case 'number': {
      let j = ti;
      while (j < tokens.length && isNumeric(tokens[j]!)) j++;
      return j > ti ? matchFrom(elements, ei + 1, tokens, j) : -1;
    }
    case 'gap':
      for (let g = 0; g <= GAP_MAX && ti + g <= tokens.length; g++) {
        const end = matchFrom(elements, ei + 1, tokens, ti + g);
        if (end >= 0) return end;
      }
      return -1;
    case 'any':
      for (const option of el.options) {
        const mid = matchFrom(option, 0, tokens, ti);
        if (mid < 0) continue;
        const end = matchFrom(elements, ei + 1, tokens, mid);
        if (end >= 0) return end;
      }
      return -1;
  }
}

/** Longest first (in characters), then leftmost; a hit survives if no longer one overlaps it. */
export function keepLongest<T>(hits: Hit<T>[]): Hit<T>[] {
  if (hits.length < 2) return hits;
  const order = [...hits].sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
  const kept: Hit<T>[] = [];
  const taken: [number, number][] = [];
  for (const h of order) {
    const clash = taken.some(([f, l]) => h.first < l && f < h.last);
    // The same span may carry several values (one phrase, two intents): keep them all.
    const same = kept.some((k) => k.first === h.first && k.last === h.last);
    if (clash && !same) continue;
    kept.push(h);
    taken.push([h.first, h.last]);
  }
  return kept.sort((a, b) => a.first - b.first);
}
