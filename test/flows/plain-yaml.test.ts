/**
 * The quick YAML reader (src/flow/plain-yaml.ts) stands in for the yaml library on plain files, so
 * whatever it accepts the library must read to the same value, key order included, without
 * errors; everything else it must decline, leaving the library to read it or report the problem.
 * Checked on every YAML file here, on hand-picked edge cases, on random documents (from odd
 * fragments, and in the style flows are written in) and on random edits of the real flows.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { readPlainYaml } from '../../src/flow/plain-yaml.ts';
import { parseYaml } from '../../src/flow/yaml.ts';

const REPO = join(import.meta.dirname, '..', '..');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(e.name) ? [path] : [];
  });
}

/** Maps as entry lists, so key order counts. */
const ordered = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(ordered)
    : v !== null && typeof v === 'object'
      ? Object.entries(v).map(([k, x]) => [k, ordered(x)])
      : v;

/** True if the quick reader accepted `text`; fails the test if it read it otherwise than the library. */
function agrees(text: string): boolean {
  const quick = readPlainYaml(text);
  if (!quick) return false;
  // As yaml.ts asks the library.
  const doc = parseDocument(text, { uniqueKeys: true });
  expect(
    doc.errors.map((e) => e.message),
    text,
  ).toEqual([]);
  expect(ordered(quick.value), text).toEqual(ordered(doc.toJS({ maxAliasCount: 100 })));
  return true;
}

describe('the quick YAML reader', () => {
  const flows = yamlFiles(join(REPO, 'flows'));

  it('reads every file of flows/ (so a start never needs the library) as the library does', () => {
    expect(flows.length).toBeGreaterThan(20);
    for (const file of flows) expect(agrees(readFileSync(file, 'utf8')), file).toBe(true);
  });

  it('agrees with the library on every YAML file in test/', () => {
    for (const file of yamlFiles(join(REPO, 'test'))) agrees(readFileSync(file, 'utf8'));
  });

  it('reads typed scalars, quotes, comments and compact maps as the library does', () => {
    const accepted = [
      'a: 1\nb: -2\nc: +3\nd: 0x1F\ne: 0o17\nf: 1.50\ng: .5\nh: 1e3\ni: 1.\nj: -0\n',
      'a: .inf\nb: -.Inf\nc: .NaN\nd: ~\ne: null\nf: NULL\ng: true\nh: False\ni: yes\nj: no\nk:\n',
      'a: "x \\"y\\" \\\\ \\/ \\n \\t"\nb: \'it\'\'s\'\nc: ""\nd: \'\'\n"e f": 1\n\'g\': 2\n',
      'a: x #c\nb: x#c\nc: a:b\nd: see [this], {that}\ne: https://x.y/z?a=1&b=2\n',
      '# head\n\nlist:\n  - a\n  -   b\n  - id: x\n    label: { en: "Yes, sure", zh-CN: 是 }\n  -\n    deep: [1, [2, {c: d}]]\n',
      'a: [https://x.y/z, b]\nb: { u: https://x, v: "q" }\nc: []\nd: {}\ne: [ a , b ]\n',
      '  indented: root\n  other: 1\n',
      '- -1\n- -x\n- x-\n-    spaced\n',
      'k: v   \n# comment\n   # indented comment\nl: w # trailing\n',
    ];
    for (const text of accepted) expect(agrees(text), text).toBe(true);
  });

  it('declines what the library reads by rules of its own, or rejects', () => {
    const declined = [
      'a: 1\na: 2\n',
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      'a: |\n  text\n',
      'a: >\n  text\n',
      'a: [x,\n  y]\n',
      'a: one\n  two\n',
      'a: "open\n  close"\n',
      'a: b: c\n',
      'a: b:\n',
      'a:\n- x\n',
      '- - x\n',
      '? a\n: b\n',
      '---\na: 1\n',
      '%YAML 1.2\n---\na: 1\n',
      'a:\tb\n',
      'a: 1\r\nb: 2\r\n',
      '__proto__: x\n',
      '<<: x\n',
      '1: x\n',
      'a: [x,]\n',
      'a: { x }\n',
      'a: { x: }\n',
      'a: [x: y]\n',
      'a: @x\n',
      'a: `x\n',
      'a: "x" y\n',
      'a: [x] y\n',
      'a: "\\u0041"\n',
      '[a, b]\n',
      'just text\n',
      '',
      '# only a comment\n',
      'a:\n  b: 1\n c: 2\n',
      `${'['.repeat(60)}${']'.repeat(60)}\n`,
    ];
    for (const text of declined) expect(readPlainYaml(text), text).toBeUndefined();
  });

  it('leaves positions to the library, asked on the first question', () => {
    const parsed = parseYaml('flows/x.yaml', 'id: x\nstates:\n  a:\n    say: { en: hi }\n');
    expect(parsed.problems).toEqual([]);
    expect(parsed.value).toEqual({ id: 'x', states: { a: { say: { en: 'hi' } } } });
    expect(parsed.at(['states', 'a', 'say', 'en'])).toEqual({ line: 4, col: 16 });
    expect(parsed.at(['states', 'b'])).toEqual({ line: 3, col: 3 });
  });

  it('agrees with the library on random documents made of odd fragments', () => {
    const line = fc
      .tuple(
        fc.constantFrom(...INDENTS),
        fc.constantFrom(...PREFIXES),
        fc.constantFrom(...KEY_PARTS),
        fc.constantFrom(...VALUES),
        fc.constantFrom('', '', ' # note', '  ', '#x'),
      )
      .map((parts) => parts.join(''));
    const doc = fc
      .tuple(fc.array(line, { minLength: 1, maxLength: 8 }), fc.constantFrom('', '\n'))
      .map(([lines, end]) => lines.join('\n') + end);
    fc.assert(
      fc.property(doc, (text) => void agrees(text)),
      { numRuns: 3000 },
    );
  });

  it('agrees with the library on random documents in the style of flows', () => {
    fc.assert(
      fc.property(styledDoc, (text) => void agrees(text)),
      { numRuns: 1000 },
    );
  });

  it('agrees with the library on random edits of the real flows', () => {
    const texts = flows.map((f) => readFileSync(f, 'utf8'));
    const edit = fc.tuple(
      fc.nat(),
      fc.constantFrom('delete', 'insert', 'indent', 'repeat'),
      fc.constantFrom(...INSERTS),
    );
    const edited = fc
      .tuple(fc.nat(texts.length - 1), fc.array(edit, { minLength: 1, maxLength: 3 }))
      .map(([which, edits]) => {
        let text = texts[which]!;
        for (const [at, op, s] of edits) {
          const i = at % (text.length + 1);
          const start = text.lastIndexOf('\n', i - 1) + 1;
          const end = text.indexOf('\n', i) + 1 || text.length;
          if (op === 'delete') text = text.slice(0, i) + text.slice(i + 1);
          else if (op === 'insert') text = text.slice(0, i) + s + text.slice(i);
          else if (op === 'indent') text = `${text.slice(0, start)} ${text.slice(start)}`;
          else text = text.slice(0, end) + text.slice(start, end) + text.slice(end);
        }
        return text;
      });
    fc.assert(
      fc.property(edited, (text) => void agrees(text)),
      { numRuns: 400 },
    );
  });
});

// Fragments for odd documents: most of them make no sense together, which is the point.
const INDENTS = ['', '', ' ', '  ', '    ', '      '];
const PREFIXES = ['', '', '- ', '-', '-   ', '- - '];
// biome-ignore format: one fragment a line would hide them
const KEY_PARTS = ['', 'a: ', 'b:', 'a b: ', '"q": ', "'s': ", 'x:y: ', '1: ', '~: ', '? ', ': ', 'k : ', 'a: b: '];
// biome-ignore format: one fragment a line would hide them
const VALUES = [
  'v', 'two words', '-1', '+1', '0x1F', '0o17', '1e3', '.5', '1.', '1.50', '.inf', '-.Inf', '.nan',
  '~', 'null', 'true', 'False', 'yes', '"dq"', '"a\\"b"', '"\\n\\t\\/\\\\"', '"\\u0041"', '"\\x"',
  "'sq'", "'it''s'", "''", '""', '[a, b]', '[]', '{}', '{ a: b, c: [d, e] }', '{a: b}',
  '[a, [b, {c: d}]]', '[a,]', '[a b]', '{ a }', '{ a: }', '[https://x.y/z, b]', '{ u: https://x }',
  '{ "k": v }', "{ 'k':v }", '[a:b]', '[a: b]', '[-a, - b]', 'a:b', 'a: b', 'a #c', 'a#c', '# c',
  'x:', '&a v', '*a', '!t v', '|', '>', '@x', '`x', '%x', '"open', "'open", '[open', '中文：值',
  'a, b', 'a]', 'a}', '- x', '-x', ':x', '?x', '---', '...', '"x" y', '[a] b', '{a: b} c', '',
];
// biome-ignore format: one fragment a line would hide them
const INSERTS = [' ', '  ', ':', ': ', '-', '- ', '#', ' #', '"', "'", '[', ']', '{', '}', ',', '\n', 'x', '&', '*', '!', '|', '\t'];

/** Scalars as authors write them: plain, quoted, typed-looking, with indicators inside. */
// biome-ignore format: one scalar a line would hide them
const SCALARS = [
  'a', 'two words', 'x-y', '中文：值', 'a:b', 'https://x.y/z?q=1', 'C#', 'a [b] {c}', "don't", 'a, b',
  '1', '-0', '0x1F', '1.50', 'true', 'null', '~', '.5', '1e3', 'yes', '"dq, [x]: y"', "'it''s'",
  '"a\\"b"', '""', "''", 'x ', '-x', '.x',
];
const KEYS = ['a', 'b', 'id', 'zh-CN', 'two words', '"quoted"', "'single'", 'k1', 'x_y', 'en'];

/** A value to write out: a scalar as written, a sequence, or a map as entries. */
type Tree = string | Tree[] | { entries: [string, Tree][] };

const mapOf = (node: fc.Arbitrary<Tree>, maxLength: number): fc.Arbitrary<Tree> =>
  fc
    .uniqueArray(fc.constantFrom(...KEYS), { minLength: 1, maxLength })
    .chain((keys) => fc.tuple(...keys.map((k) => node.map((v): [string, Tree] => [k, v]))))
    .map((entries) => ({ entries }));

const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...SCALARS),
    fc.array(tie('node'), { maxLength: 4 }),
    mapOf(tie('node'), 4),
  ),
})).node;

/** Block YAML with flow collections here and there, compact maps in sequences, comments, odd indents. */
function render(t: Tree, indent: number, rnd: () => number): string[] {
  const pad = ' '.repeat(indent);
  const note = () => (rnd() < 0.1 ? ' # note' : '');
  const step = () => 2 + Math.floor(rnd() * 3);
  // Scalars and empty collections stay on their line; others sometimes do, as flow collections.
  const inline = (v: Tree): string | undefined =>
    typeof v === 'string' || (Array.isArray(v) && v.length === 0) || rnd() < 0.4 ? flowOf(v, rnd) : undefined;
  if (typeof t === 'string' || Array.isArray(t)) {
    if (typeof t === 'string' || t.length === 0) return [`${pad}${flowOf(t, rnd)}`];
    return t.flatMap((v) => {
      const i = inline(v);
      if (i !== undefined) return [`${pad}- ${i}${note()}`];
      if (typeof v !== 'string' && !Array.isArray(v) && rnd() < 0.7) {
        // Compact: the first key on the dash's line, the rest under it.
        const lines = render(v, indent + 2 + Math.floor(rnd() * 3), rnd);
        const k = lines.findIndex((l) => !l.trimStart().startsWith('#'));
        return [...lines.slice(0, k), `${pad}-${lines[k]!.slice(indent + 1)}`, ...lines.slice(k + 1)];
      }
      return [`${pad}-${note()}`, ...render(v, indent + step(), rnd)];
    });
  }
  return t.entries.flatMap(([k, v]) => {
    const i = inline(v);
    const comment = rnd() < 0.1 ? [`${' '.repeat(Math.floor(rnd() * 6))}# comment`] : [];
    if (i !== undefined) return [...comment, `${pad}${k}: ${i}${note()}`];
    return [...comment, `${pad}${k}:${note()}`, ...render(v, indent + step(), rnd)];
  });
}

function flowOf(t: Tree, rnd: () => number): string {
  const sp = () => (rnd() < 0.2 ? '' : ' ');
  // Flow indicators inside a plain scalar would end it: authors quote those.
  if (typeof t === 'string') return /[,[\]{}]|: | #/.test(t) && !/^["']/.test(t) ? `"${t}"` : t;
  if (Array.isArray(t)) return `[${t.map((v) => flowOf(v, rnd)).join(', ')}]`;
  return `{${sp()}${t.entries.map(([k, v]) => `${k}: ${flowOf(v, rnd)}`).join(`,${sp()}`)}${sp()}}`;
}

const styledDoc = fc.tuple(mapOf(tree, 5), fc.integer()).map(([t, seed]) => {
  // Layout choices from a seeded xorshift, so a failing case replays.
  let x = seed | 0 || 1;
  const rnd = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  return `${render(t, 0, rnd).join('\n')}\n`;
});
