/**
 * YAML parsing that can say where things are, so a problem found later (by zod or by the graph
 * checks) can name the file, line and column of the value at fault. Files in the plain style flows
 * use are read by plain-yaml.ts; positions then come from the library on the first question.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Node } from 'yaml';
import type { Located } from './model.ts';
import { readPlainYaml } from './plain-yaml.ts';
import type { Problem } from './problems.ts';

/**
 * The library loads on first use: a start from the cache (bundle.ts) parses no YAML. Under Node it
 * is one CommonJS build for import and require alike, so this is the same instance as an import.
 */
let library: typeof import('yaml') | undefined;
const yaml = () => {
  library ??= createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return library;
};

export type Path = ReadonlyArray<string | number>;

export interface ParsedYaml {
  file: string;
  value: unknown;
  /** Position of the node at `path`, or of its nearest existing ancestor. */
  at(path: Path): { line: number; col: number };
  problems: Problem[];
}

/** Hostile or mistaken files must fail fast and small: cap size, aliases and nesting. */
const LIMITS = { maxBytes: 1_000_000, maxAliasCount: 100, maxDepth: 40 };

export function parseYaml(file: string, text: string): ParsedYaml {
  if (Buffer.byteLength(text) > LIMITS.maxBytes) {
    return failed(file, 1, 1, `file is larger than ${LIMITS.maxBytes} bytes`);
  }
  const plain = readPlainYaml(text);
  if (!plain) return parseWithLibrary(file, text);
  let located: ParsedYaml | undefined;
  return {
    file,
    value: plain.value,
    // The library reads it to the same value without errors, and knows where everything is.
    at: (path) => {
      located ??= parseWithLibrary(file, text);
      return located.at(path);
    },
    problems: [],
  };
}

/** A file that yields no value, with the one problem that says why and where. */
function failed(file: string, line: number, col: number, message: string): ParsedYaml {
  return {
    file,
    value: undefined,
    at: () => ({ line, col }),
    problems: [{ file, line, col, message, severity: 'error' }],
  };
}

/** The yaml library's reading: every syntax error with its position, and positions of values. */
function parseWithLibrary(file: string, text: string): ParsedYaml {
  const { LineCounter, parseDocument } = yaml();
  const lines = new LineCounter();
  const problems: Problem[] = [];
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  for (const err of doc.errors) {
    const pos = err.linePos?.[0] ?? { line: 1, col: 1 };
    problems.push({ file, line: pos.line, col: pos.col, message: oneLine(err.message), severity: 'error' });
  }
  if (problems.length > 0) return { file, value: undefined, at: () => ({ line: 1, col: 1 }), problems };
  if (nestingDepth(doc.contents) > LIMITS.maxDepth)
    return failed(file, 1, 1, `nesting deeper than ${LIMITS.maxDepth} levels`);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: LIMITS.maxAliasCount });
  } catch (err) {
    return failed(file, 1, 1, oneLine(err instanceof Error ? err.message : String(err)));
  }
  const at = (path: Path) => {
    const node = nodeAt(doc.contents, path);
    const offset = node?.range?.[0] ?? 0;
    return lines.linePos(offset);
  };
  return { file, value, at, problems };
}

/**
 * Where things are in a file, found by parsing it again on the first question: only a problem
 * report asks, so a loaded bundle holds no syntax trees. `path` is where to read it from.
 */
export function locateLater(file: string, path: string): Located {
  let parsed: ParsedYaml | undefined;
  return {
    file,
    at(at) {
      if (!parsed) {
        let text = '';
        try {
          text = readFileSync(path, 'utf8');
        } catch {
          // Gone since it loaded: the start of the file is the best answer left.
        }
        parsed = parseYaml(file, text);
      }
      return parsed.at(at);
    },
  };
}

function oneLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function nodeAt(root: Node | null, path: Path): Node | null {
  const { isMap, isScalar, isSeq } = yaml();
  let node: Node | null = root;
  let best: Node | null = root;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
      if (!pair) return best;
      // Point at the value, or at the key when the value is empty.
      node = (pair.value as Node | null) ?? (pair.key as Node);
    } else if (isSeq(node) && typeof key === 'number') {
      node = (node.items[key] as Node | undefined) ?? null;
    } else {
      return best;
    }
    if (node) best = node;
    else return best;
  }
  return best;
}

function nestingDepth(node: unknown, depth = 0): number {
  const { isMap, isSeq } = yaml();
  if (depth > LIMITS.maxDepth) return depth;
  if (isMap(node) || isSeq(node)) {
    let max = depth;
    for (const item of node.items) {
      const child = isMap(node) ? (item as { value: unknown }).value : item;
      max = Math.max(max, nestingDepth(child, depth + 1));
    }
    return max;
  }
  return depth;
}
