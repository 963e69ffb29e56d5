/**
 * One canonical form for matching: full-width → half-width (NFKC), lower case, Traditional →
 * Simplified, invisible characters removed, quotes, dashes and CJK punctuation folded, spacing
 * collapsed. Patterns and messages both go through it, so authors write patterns in any form.
 */
import { T2S } from './t2s.ts';

/** Zero-width and bidi controls: used to split words so keyword filters miss them. */
const INVISIBLE =
  /[\u00ad\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]|\u034f/g;

/** Punctuation NFKC leaves alone, folded to its ASCII look-alike. */
const PUNCT: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201b': "'",
  '`': "'",
  '\u00b4': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u300c': '"',
  '\u300d': '"',
  '\u300e': '"',
  '\u300f': '"',
  '\u3010': '[',
  '\u3011': ']',
  '\u300a': '"',
  '\u300b': '"',
  '\u3002': '.',
  '\u3001': ',',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2013': '-',
  '\u2014': '-',
  '\u2015': '-',
  '\u2212': '-',
  '\u30fc': '-',
  '\u00b7': ' ',
  '\u30fb': ' ',
};
const FOLD = new RegExp(`[${Object.keys(PUNCT).join('')}]`, 'g');

/** NFKC without the invisible characters, case kept: for links, wallets and numbers. */
export function plain(text: string): string {
  return text.normalize('NFKC').replace(INVISIBLE, '');
}

export function normalize(text: string): string {
  const folded = plain(text)
    .toLowerCase()
    .replace(FOLD, (c) => PUNCT[c]!);
  // Only Han text can hold Traditional characters: skip the per-character pass for the rest.
  const simplified = /[\u3400-\u9fff\uf900-\ufaff]/.test(folded) ? toSimplified(folded) : folded;
  return simplified.replace(/\s+/g, ' ').trim();
}

function toSimplified(text: string): string {
  let out = '';
  for (const ch of text) out += T2S.get(ch) ?? ch;
  return out;
}

export interface Token {
  /** The word as matched: apostrophes dropped ("don't" → "dont"); one Han character per token. */
  text: string;
  kind: 'word' | 'number' | 'han';
  /** Position in the normalised text, for showing what matched. */
  start: number;
  end: number;
}

/**
 * Words (letters of any non-Han script), numbers (with inner , and .) and single Han characters.
 * Everything else separates tokens. Letters and digits split ("500usdt" → 500, usdt).
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const code = text.codePointAt(i)!;
    const width = code > 0xffff ? 2 : 1;
    const kind = classify(code);
    if (kind === 'han') {
      tokens.push({ text: text.slice(i, i + width), kind, start: i, end: i + width });
      i += width;
    } else if (kind === 'digit') {
      const m = /\d+(?:[.,]\d+)*/y;
      m.lastIndex = i;
      const run = m.exec(text)![0];
      tokens.push({ text: run.replace(/,/g, ''), kind: 'number', start: i, end: i + run.length });
      i += run.length;
    } else if (kind === 'letter') {
      const start = i;
      let word = '';
      while (i < text.length) {
        const c = text.codePointAt(i)!;
        const w = c > 0xffff ? 2 : 1;
        if (classify(c) === 'letter') {
          word += text.slice(i, i + w);
          i += w;
        } else if (
          text[i] === "'" &&
          i + 1 < text.length &&
          classify(text.codePointAt(i + 1)!) === 'letter'
        ) {
          i += 1; // don't → dont, i'm → im: people type both
        } else break;
      }
      tokens.push({ text: word, kind: 'word', start, end: i });
    } else if (text[i] === '%') {
      // Kept as a word so "30% a week" can be told from "3 times a week".
      tokens.push({ text: '%', kind: 'word', start: i, end: i + 1 });
      i += 1;
    } else {
      i += width;
    }
  }
  return tokens;
}

const LETTER = /[\p{L}\p{M}]/u;

function classify(code: number): 'han' | 'digit' | 'letter' | 'other' {
  if ((code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a)) return 'letter';
  if (code >= 0x30 && code <= 0x39) return 'digit';
  if (code < 0x80) return 'other';
  if (
    (code >= 0x4e00 && code <= 0x9fff) ||
    (code >= 0x3400 && code <= 0x4dbf) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0x20000 && code <= 0x3134f)
  ) {
    return 'han';
  }
  return LETTER.test(String.fromCodePoint(code)) ? 'letter' : 'other';
}

/** Chinese numerals, so `#` in a pattern matches 两万 as well as 20000. */
export const HAN_NUMERALS = new Set([...'零一二两三四五六七八九十百千万亿几半']);
