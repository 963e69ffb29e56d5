/**
 * Loads a flows folder into a Bundle: every file parsed and validated, the whole graph checked,
 * the machine compiled. Any error stops here with every problem listed (FlowLoadError), so a
 * broken flow never reaches a user. A folder that loaded cleanly before, unchanged, comes from the
 * cache instead of being parsed and checked again (cache.ts).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { z } from 'zod';
import { buildUnderstanding, loadUnderstanding } from '../understand/load.ts';
import type { Understanding } from '../understand/types.ts';
import {
  type CheckedFolder,
  cacheKey,
  DEFAULT_CACHE_DIR,
  type FolderFile,
  fromCached,
  readCache,
  toCached,
  writeCache,
} from './cache.ts';
import { checkModel } from './check.ts';
import { type ConversationMachine, compileMachine } from './compile.ts';
import { type FlowModel, type Located, problemAt } from './model.ts';
import { FlowLoadError, type Problem } from './problems.ts';
import { Config, FlagCatalog, Flow, Resources, Steps, UiStrings } from './schema.ts';
import { listYaml, readSource } from './sources.ts';
import type { Path } from './yaml.ts';

export interface Bundle extends FlowModel {
  dir: string;
  machine: ConversationMachine;
  understanding: Understanding;
  /** Changes whenever any file in the folder changes; sessions saved under another hash restart. */
  hash: string;
  /** Warnings found while loading (errors throw). */
  warnings: Problem[];
  locate(flowId: string, path: Path): { file: string; line: number; col: number };
}

export interface LoadOptions {
  /** Where checked folders are cached (default node_modules/.cache/safestep); false: always parse. */
  cacheDir?: string | false;
}

/** Files in flows/ that are not flows. */
const NOT_FLOWS = new Set(['safestep.yaml', 'schema.json']);
/** Catalog folders inside flows/, each merged from its files. */
const CATALOGS = ['steps', 'flags', 'resources', 'locales', 'understanding'] as const;

export async function loadBundle(dir = './flows', opts: LoadOptions = {}): Promise<Bundle> {
  const cacheDir = opts.cacheDir ?? DEFAULT_CACHE_DIR;
  const root = dirname(resolve(dir));
  const files = readFolder(dir, root);
  const cache = cacheDir && files ? { dir: cacheDir, key: cacheKey(files) } : undefined;
  const { folder, understanding } = (cache && fromCache(cache, root)) ?? parseFolder(dir, root, cache);
  const { model, warnings } = folder;
  let machine: ConversationMachine;
  try {
    machine = compileMachine(model);
  } catch (err) {
    // The checker should have caught this; say so rather than crash with an xstate stack.
    throw new FlowLoadError([
      { file: dir, line: 1, col: 1, severity: 'error', message: `flows do not compile: ${String(err)}` },
    ]);
  }
  return {
    ...model,
    dir,
    machine,
    understanding,
    hash: hashFiles(files ?? readFolder(dir, root) ?? []),
    warnings,
    locate(flowId, path) {
      const src = model.flowSources.get(flowId);
      if (!src) return { file: dir, line: 1, col: 1 };
      return { file: src.file, ...src.at(path) };
    },
  };
}

interface Loaded {
  folder: CheckedFolder;
  understanding: Understanding;
}

/** The folder from its cache entry, or undefined: no entry, or one of the right key but the wrong shape. */
function fromCache(cache: { dir: string; key: string }, root: string): Loaded | undefined {
  const cached = readCache(cache.dir, cache.key);
  if (!cached) return undefined;
  try {
    const folder = fromCached(cached, root);
    return { folder, understanding: buildUnderstanding(folder.understanding, folder.flagLevels) };
  } catch {
    return undefined;
  }
}

/** The long way: parse and check every file, throw with every error, then fill the cache. */
function parseFolder(dir: string, root: string, cache?: { dir: string; key: string }): Loaded {
  const { model, problems, understanding } = readModel(dir);
  if (model) problems.push(...checkModel(model));
  const errors = problems.filter((p) => p.severity === 'error');
  if (!model || errors.length > 0 || !understanding)
    throw new FlowLoadError(errors.length > 0 ? errors : problems);
  const plain = toCached({
    model,
    understanding: understanding.data,
    flagLevels: understanding.flagLevels,
    warnings: problems.filter((p) => p.severity === 'warning'),
  });
  // Written only if no file changed while it loaded, so the entry holds what its key says.
  if (cache && sameKey(readFolder(dir, root), cache.key)) writeCache(cache.dir, cache.key, plain);
  // Rebuilt from the plain form, as from the cache: the bundle keeps no syntax trees.
  return { folder: fromCached(plain, root), understanding: understanding.understanding };
}

/** Checks a folder without compiling: for `safestep validate`. Returns every problem. */
export function validateFlows(dir = './flows'): Problem[] {
  const { model, problems } = readModel(dir);
  if (model) problems.push(...checkModel(model));
  return problems;
}

function readModel(dir: string): {
  model?: FlowModel;
  problems: Problem[];
  understanding?: ReturnType<typeof loadUnderstanding>;
} {
  const root = dirname(resolve(dir));
  const problems: Problem[] = [];
  const configPath = join(dir, 'safestep.yaml');
  if (!existsSync(configPath)) {
    return {
      problems: [
        {
          file: configPath,
          line: 1,
          col: 1,
          severity: 'error',
          message: 'missing flows/safestep.yaml (locales, entry, emergency, regions)',
        },
      ],
    };
  }
  const config = readSource(configPath, Config, problems, root);
  const flowFiles = listYaml(dir).filter((p) => !NOT_FLOWS.has(basename(p)));
  const origins = new Map<string, Located>();

  const flows = new Map<string, Flow>();
  const flowSources = new Map<string, Located>();
  for (const path of flowFiles) {
    const src = readSource(path, Flow, problems, root);
    if (!src) continue;
    if (flows.has(src.value.id)) {
      problems.push(
        problemAt(
          src.yaml,
          ['id'],
          `flow id "${src.value.id}" is already used by ${flowSources.get(src.value.id)!.file}`,
        ),
      );
      continue;
    }
    if (basename(path).replace(/\.ya?ml$/, '') !== src.value.id) {
      problems.push(
        problemAt(src.yaml, ['id'], `flow id "${src.value.id}" differs from its file name`, 'warning'),
      );
    }
    flows.set(src.value.id, src.value);
    flowSources.set(src.value.id, src.yaml);
  }

  const steps = mergeCatalog(dir, 'steps', Steps, problems, root, origins, (v) => v);
  const flags = mergeCatalog(dir, 'flags', FlagCatalog, problems, root, origins, (v) => v);
  const sources = new Map<string, string>();
  const resources = mergeCatalog(dir, 'resources', Resources, problems, root, origins, (v, src) => {
    for (const [k, url] of Object.entries(v.sources)) {
      const prior = sources.get(k);
      if (prior !== undefined && prior !== url)
        problems.push(
          problemAt(src, ['sources', k], `source "${k}" is defined twice with different addresses`),
        );
      sources.set(k, url);
    }
    return v.resources;
  });

  const ui = new Map<string, Record<string, string>>();
  for (const path of listYaml(dir, 'locales')) {
    const src = readSource(path, UiStrings, problems, root);
    if (!src) continue;
    const locale = basename(path).replace(/\.ya?ml$/, '');
    ui.set(locale, src.value);
    origins.set(`ui:${locale}`, src.yaml);
  }

  const u = loadUnderstanding(dir);
  problems.push(...u.problems);

  if (!config) return { problems };
  return {
    model: {
      config: config.value,
      configSource: config.yaml,
      flows,
      flowSources,
      steps,
      flags,
      resources,
      sources,
      ui,
      origins,
      intentIds: new Set(u.intentIds),
      textFlagIds: new Set(u.flagIds),
    },
    problems,
    understanding: u,
  };
}

/** Catalog folders (steps/, flags/, resources/) merge their files; an id defined twice is an error. */
function mergeCatalog<S extends z.ZodType, V>(
  dir: string,
  kind: 'steps' | 'flags' | 'resources',
  schema: S,
  problems: Problem[],
  root: string,
  origins: Map<string, Located>,
  entries: (value: z.infer<S>, src: Located) => Record<string, V>,
): Map<string, V> {
  const out = new Map<string, V>();
  for (const path of listYaml(dir, kind)) {
    const src = readSource(path, schema, problems, root);
    if (!src) continue;
    for (const [id, value] of Object.entries(entries(src.value, src.yaml))) {
      const key = `${kind}:${id}`;
      const prior = origins.get(key);
      if (prior) {
        const at = kind === 'resources' ? ['resources', id] : [id];
        problems.push(problemAt(src.yaml, at, `${kind} id "${id}" is already defined in ${prior.file}`));
        continue;
      }
      out.set(id, value);
      origins.set(key, src.yaml);
    }
  }
  return out;
}

/**
 * Every file the loader reads, with its bytes; undefined when one cannot be read (the long way
 * then reports it). Names are as problems show them: relative to the folder above flows/.
 */
function readFolder(dir: string, root: string): (FolderFile & { path: string })[] | undefined {
  const configPath = join(dir, 'safestep.yaml');
  const paths = [
    ...(existsSync(configPath) ? [configPath] : []),
    ...listYaml(dir).filter((p) => !NOT_FLOWS.has(basename(p))),
    ...CATALOGS.flatMap((s) => listYaml(dir, s)),
  ];
  try {
    return paths.map((path) => ({ path, name: relative(root, resolve(path)), bytes: readFileSync(path) }));
  } catch {
    return undefined;
  }
}

function sameKey(files: FolderFile[] | undefined, key: string): boolean {
  return files !== undefined && cacheKey(files) === key;
}

/** bundle.hash: file names (without folders) and bytes, in path order. Sessions carry it. */
function hashFiles(files: readonly (FolderFile & { path: string })[]): string {
  const h = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    h.update(basename(f.path));
    h.update(f.bytes);
  }
  return h.digest('hex').slice(0, 12);
}
