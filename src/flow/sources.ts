/**
 * Reading the flows folder: which file holds what, parsed with positions and validated by zod.
 * Each file's problems name file:line:col; nothing here throws on bad content.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { z } from 'zod';
import type { Problem } from './problems.ts';
import { type ParsedYaml, parseYaml } from './yaml.ts';

export interface SourceFile<T> {
  file: string;
  value: T;
  yaml: ParsedYaml;
}

/** Lists the YAML files of one kind: top-level flows, or a catalog folder (steps/, flags/...). */
export function listYaml(dir: string, sub?: string): string[] {
  const folder = sub ? join(dir, sub) : dir;
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  return names
    .filter((n) => /\.ya?ml$/.test(n))
    .map((n) => join(folder, n))
    .filter((p) => statSync(p, { throwIfNoEntry: false })?.isFile() === true)
    .sort();
}

/** Parses one file and validates it; on failure returns undefined and adds located problems. */
export function readSource<S extends z.ZodType>(
  path: string,
  schema: S,
  problems: Problem[],
  displayRoot: string,
): SourceFile<z.infer<S>> | undefined {
  const file = displayName(path, displayRoot);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    problems.push({ file, line: 1, col: 1, severity: 'error', message: `cannot read file: ${String(err)}` });
    return undefined;
  }
  const yaml = parseYaml(file, text);
  if (yaml.problems.length > 0) {
    problems.push(...yaml.problems);
    return undefined;
  }
  const parsed = schema.safeParse(yaml.value ?? {});
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
      const { line, col } = yaml.at(path);
      const where = path.length > 0 ? ` (at ${path.join('.')})` : '';
      problems.push({ file, line, col, severity: 'error', message: `${issue.message}${where}` });
    }
    return undefined;
  }
  return { file, value: parsed.data, yaml };
}

/** Paths in messages are relative to the folder above flows/, as an author sees them. */
function displayName(path: string, root: string): string {
  const rel = relative(root, path);
  return rel.startsWith('..') ? path : rel || basename(path);
}
