/**
 * A quick reader for the plain YAML flows are written in: block maps and sequences, one-line flow
 * collections (`{ en: ..., zh-CN: ... }`, `[a, b]`), one-line plain and quoted scalars, comments.
 * The yaml library reads the same files too, but a first load spends most of its time there
 * (building syntax trees no clean folder needs, with cold code). Anything else, or anything this
 * reader is unsure the library reads the same way (anchors, tags, block or multi-line scalars,
 * multi-line flow collections, duplicate keys, tabs, `a: b: c`...), it declines: yaml.ts then
 * parses with the library, which reads it or reports the problem with its position. So whatever
 * it accepts, the library reads to the same value without errors (test/flows/plain-yaml.test.ts).
 */

/** Thrown to give up; caught once at the top. */
const DECLINE: unique symbol = Symbol('decline');

/** Characters the library treats specially or that this reader does not handle: decline early. */
const AWKWARD = /[\t\r\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufeff\u2028\u2029]/;
/** Deeper than this, the library reads it (and enforces its own limit). */
const MAX_DEPTH = 32;
/** Below the library's limit for implicit keys (1024 characters). */
const MAX_KEY = 1000;

interface Line {
  indent: number;
  text: string;
}

/** The value of `text`, or undefined if the library must read it. */
export function readPlainYaml(text: string): { value: unknown } | undefined {
  if (AWKWARD.test(text)) return undefined;
  try {
    const lines = significantLines(text);
    if (lines.length === 0) return undefined;
    const reader = new Reader(lines);
    const value = reader.block(lines[0]!.indent, 0);
    return reader.n === lines.length ? { value } : undefined;
  } catch (err) {
    if (err === DECLINE) return undefined;
    throw err;
  }
}

function decline(): never {
  throw DECLINE;
}

/** Lines with content: blank and comment-only lines say nothing here. */
function significantLines(text: string): Line[] {
  const out: Line[] = [];
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    let indent = 0;
    while (line.charCodeAt(indent) === 32) indent++;
    if (indent < line.length && line[indent] !== '#') {
      // Document markers and directives.
      if (indent === 0 && (line.startsWith('---') || line.startsWith('...') || line[0] === '%')) decline();
      out.push({ indent, text: line });
    }
    start = end + 1;
  }
  return out;
}

const isSpace = (text: string, i: number) => i >= text.length || text.charCodeAt(i) === 32;
const skipSpaces = (text: string, i: number) => {
  while (text.charCodeAt(i) === 32) i++;
  return i;
};
const isSeqItem = (text: string, col: number) => text[col] === '-' && isSpace(text, col + 1);

class Reader {
  n = 0;
  constructor(private readonly lines: Line[]) {}

  /** The block collection whose first line is lines[n], at column `indent`. */
  block(indent: number, depth: number): unknown {
    if (depth > MAX_DEPTH) decline();
    const text = this.lines[this.n]!.text;
    return isSeqItem(text, indent) ? this.seq(indent, depth) : this.map(indent, indent, depth);
  }

  /** A value on the lines below a `key:` or a `-`: more indented than `parent`, or null. */
  private nested(parent: number, depth: number): unknown {
    const next = this.lines[this.n];
    return next && next.indent > parent ? this.block(next.indent, depth + 1) : null;
  }

  /** After a one-line value, a more indented line would continue it: the library's case. */
  private endOfValue(indent: number): void {
    this.n++;
    const next = this.lines[this.n];
    if (next && next.indent > indent) decline();
  }

  /** A block map whose keys sit at `indent`; the first key may start mid-line (`- key: v`). */
  private map(indent: number, first: number, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.entry(this.lines[this.n]!.text, first, indent, depth, out);
    for (let line = this.lines[this.n]; line && line.indent === indent; line = this.lines[this.n]) {
      if (isSeqItem(line.text, indent)) decline();
      this.entry(line.text, indent, indent, depth, out);
    }
    const next = this.lines[this.n];
    if (next && next.indent > indent) decline();
    return out;
  }

  private entry(text: string, col: number, indent: number, depth: number, out: Record<string, unknown>) {
    const { key, end } = readKey(text, col);
    const p = skipSpaces(text, end);
    let value: unknown;
    if (p === text.length || text[p] === '#') {
      this.n++;
      value = this.nested(indent, depth);
    } else {
      const v = inline(text, p, depth);
      trailing(text, v.end);
      this.endOfValue(indent);
      value = v.value;
    }
    setKey(out, key, value);
  }

  private seq(indent: number, depth: number): unknown[] {
    const out: unknown[] = [];
    for (let line = this.lines[this.n]; line && line.indent === indent; line = this.lines[this.n]) {
      const text = line.text;
      if (!isSeqItem(text, indent)) decline();
      const p = skipSpaces(text, indent + 1);
      if (p === text.length || text[p] === '#') {
        this.n++;
        out.push(this.nested(indent, depth));
      } else if (isSeqItem(text, p)) {
        decline();
      } else if (startsEntry(text, p)) {
        out.push(this.map(p, p, depth + 1));
      } else {
        const v = inline(text, p, depth);
        trailing(text, v.end);
        this.endOfValue(indent);
        out.push(v.value);
      }
    }
    const next = this.lines[this.n];
    if (next && next.indent > indent) decline();
    return out;
  }
}

/** An object key as the library sets it; keys that need its special cases are declined. */
function setKey(out: Record<string, unknown>, key: string, value: unknown): void {
  if (Object.hasOwn(out, key) || key === '__proto__' || key === '<<' || key.length > MAX_KEY) decline();
  out[key] = value;
}

/** Whether `key:` starts at `p` (a compact map in a sequence item), rather than a scalar. */
function startsEntry(text: string, p: number): boolean {
  const c = text[p];
  if (c === '"' || c === "'") {
    const end = quotedEnd(text, p);
    return end >= 0 && text[end] === ':';
  }
  if (c === '[' || c === '{') return false;
  for (let i = p; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 58 /* : */ && isSpace(text, i + 1)) return true;
    if (ch === 35 /* # */ && text.charCodeAt(i - 1) === 32) return false;
  }
  return false;
}

/** A block key at `col`: a plain or quoted string followed by `:` and a space or the line's end. */
function readKey(text: string, col: number): { key: string; end: number } {
  const c = text[col];
  if (c === '"' || c === "'") {
    const q = quoted(text, col);
    if (text[q.end] !== ':' || !isSpace(text, q.end + 1)) decline();
    return { key: q.value, end: q.end + 1 };
  }
  plainStart(text, col, false);
  let i = col;
  for (; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 58 /* : */ && isSpace(text, i + 1)) break;
    // Comments, and characters a key here never needs (flow indicators, quotes).
    if (ch === 35 || ch === 44 || ch === 91 || ch === 93 || ch === 123 || ch === 125) decline();
    if (ch === 34 || ch === 39) decline();
  }
  if (i >= text.length) decline();
  const raw = text.slice(col, i).trimEnd();
  const key = plainValue(raw);
  if (typeof key !== 'string') decline();
  return { key, end: i + 1 };
}

/** A value on one line at `p`, in block context: quoted, flow collection or plain. */
function inline(text: string, p: number, depth: number): { value: unknown; end: number } {
  const c = text[p];
  if (c === '"' || c === "'") return quoted(text, p);
  if (c === '[' || c === '{') return flow(text, p, depth + 1);
  plainStart(text, p, false);
  let end = text.indexOf(' #', p);
  if (end < 0) end = text.length;
  const raw = text.slice(p, end).trimEnd();
  // `a: b: c` is an error to the library; `a:` would be a key.
  if (raw.endsWith(':') || raw.includes(': ')) decline();
  return { value: plainValue(raw), end: p + raw.length };
}

/** Only spaces, or a comment after a space, may follow a value on its line. */
function trailing(text: string, end: number): void {
  const p = skipSpaces(text, end);
  if (p < text.length && !(text[p] === '#' && p > end)) decline();
}

/** Characters that cannot start a plain scalar, or start one the library reads differently. */
function plainStart(text: string, p: number, inFlow: boolean): void {
  const c = text[p];
  if (c === undefined || '&*!|>%@`#,[]{}\'"?:'.includes(c)) decline();
  if (c === '-' && isSpace(text, p + 1)) decline();
  if (inFlow && c === '-' && ',[]{}'.includes(text[p + 1]!)) decline();
}

/** Index just past a quoted scalar starting at `p`, or -1 if it does not close on this line. */
function quotedEnd(text: string, p: number): number {
  const q = text[p];
  for (let i = p + 1; i < text.length; i++) {
    if (text[i] === '\\' && q === '"') i++;
    else if (text[i] === q) {
      if (q === "'" && text[i + 1] === "'") i++;
      else return i + 1;
    }
  }
  return -1;
}

const ESCAPES = new Map([
  ['"', '"'],
  ['\\', '\\'],
  ['/', '/'],
  ['n', '\n'],
  ['t', '\t'],
]);

/** A single- or double-quoted scalar that closes on its line; other escapes are declined. */
function quoted(text: string, p: number): { value: string; end: number } {
  const q = text[p]!;
  let value = '';
  let from = p + 1;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (q === '"' && c === '\\') {
      const e = ESCAPES.get(text[i + 1]!);
      if (e === undefined) decline();
      value += text.slice(from, i) + e;
      from = ++i + 1;
    } else if (c === q) {
      value += text.slice(from, i);
      if (q === "'" && text[i + 1] === "'") {
        value += "'";
        from = ++i + 1;
      } else {
        return { value, end: i + 1 };
      }
    }
  }
  return decline();
}

/** A flow collection that closes on its line: `[a, "b", { c: d }]`. */
function flow(text: string, p: number, depth: number): { value: unknown; end: number } {
  if (depth > MAX_DEPTH) decline();
  const close = text[p] === '[' ? ']' : '}';
  const out: unknown[] | Record<string, unknown> = close === ']' ? [] : {};
  let i = skipSpaces(text, p + 1);
  if (text[i] === close) return { value: out, end: i + 1 };
  for (;;) {
    if (Array.isArray(out)) {
      const v = flowValue(text, i, depth);
      out.push(v.value);
      i = skipSpaces(text, v.end);
    } else {
      const k = flowKey(text, i);
      const v = flowValue(text, skipSpaces(text, k.end), depth);
      setKey(out, k.key, v.value);
      i = skipSpaces(text, v.end);
    }
    if (text[i] === close) return { value: out, end: i + 1 };
    if (text[i] !== ',') decline();
    i = skipSpaces(text, i + 1);
    // A trailing comma, or an empty entry.
    if (text[i] === close || text[i] === ',') decline();
  }
}

function flowKey(text: string, p: number): { key: string; end: number } {
  const c = text[p];
  if (c === '"' || c === "'") {
    const q = quoted(text, p);
    if (text[q.end] !== ':' || text[q.end + 1] !== ' ') decline();
    return { key: q.value, end: q.end + 1 };
  }
  const v = flowPlain(text, p, true);
  if (typeof v.value !== 'string' || text[v.end] !== ':' || text[v.end + 1] !== ' ') decline();
  return { key: v.value, end: v.end + 1 };
}

function flowValue(text: string, p: number, depth: number): { value: unknown; end: number } {
  const c = text[p];
  if (c === '"' || c === "'") return quoted(text, p);
  if (c === '[' || c === '{') return flow(text, p, depth + 1);
  return flowPlain(text, p, false);
}

/**
 * A plain scalar inside a flow collection, ending at `,`, `]`, `}` or (for a key) `: `. It must
 * end on its line, without a comment; `:` followed by a space or an indicator ends a value too,
 * which the library would read as a pair: declined.
 */
function flowPlain(text: string, p: number, isKey: boolean): { value: unknown; end: number } {
  plainStart(text, p, true);
  let i = p;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (c === ',' || c === ']' || c === '}') break;
    if (c === '[' || c === '{') decline();
    if (c === '#' && text[i - 1] === ' ') decline();
    if (c === ':' && (isSpace(text, i + 1) || ',[]{}'.includes(text[i + 1]!))) {
      if (isKey) break;
      decline();
    }
  }
  if (i >= text.length) decline();
  const raw = text.slice(p, i).trimEnd();
  return { value: plainValue(raw), end: p + raw.length };
}

/** A plain scalar's value under the YAML 1.2 core schema, as the library resolves it. */
function plainValue(s: string): unknown {
  const c = s.charCodeAt(0);
  // Most text starts with a letter that no typed value starts with.
  const maybeTyped =
    Number.isNaN(c) ||
    (c >= 48 && c <= 57) ||
    c === 43 ||
    c === 45 ||
    c === 46 ||
    c === 126 ||
    'nNtTfF'.includes(s[0]!);
  if (!maybeTyped) return s;
  if (/^(?:~|[Nn]ull|NULL)?$/.test(s)) return null;
  if (/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(s)) return s[0] === 't' || s[0] === 'T';
  if (/^0o[0-7]+$/.test(s)) return Number.parseInt(s.substring(2), 8);
  if (/^[-+]?[0-9]+$/.test(s)) return Number.parseInt(s, 10);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return Number.parseInt(s.substring(2), 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s)) {
    if (s.slice(-3).toLowerCase() === 'nan') return Number.NaN;
    return s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(s)) return Number.parseFloat(s);
  if (/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s)) return Number.parseFloat(s);
  return s;
}
