/**
 * A flows folder that loaded cleanly loads again from one JSON file: no YAML, no zod, no graph
 * checks. The key hashes every file the loader reads (name and bytes) with the loader's own code
 * and libraries, so an edited flow or loader misses. Only a folder without errors is written, so a
 * broken flow always takes the long way and fails with its file:line problems. An unreadable,
 * corrupt or foreign entry is a miss, and the load that follows rewrites it; an unwritable place
 * means no cache, silently.
 */
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RiskLevel } from '../engine/types.ts';
import type { UnderstandingData } from '../understand/schema.ts';
import type { FlagDefinition, FlowModel, Located, ResourceDef } from './model.ts';
import type { Problem } from './problems.ts';
import type { Config, Flow, Localized } from './schema.ts';
import { locateLater } from './yaml.ts';

/** Part of every key: bump it when CachedFolder changes shape. */
const FORMAT = 1;
/** Entries kept, most recently used first: a test run leaves many temporary folders behind. */
const KEEP = 20;

/** This checkout's node_modules/.cache/safestep, where tools conventionally keep such files. */
export const DEFAULT_CACHE_DIR = fileURLToPath(
  new URL('../../node_modules/.cache/safestep', import.meta.url),
);

type Entries<V> = [string, V][];

/**
 * A checked folder as JSON: maps as entry lists (their order kept), sources as file names. Their
 * positions are found again by parsing the file if a report ever asks (yaml.ts, locateLater).
 */
export interface CachedFolder {
  config: Config;
  configFile: string;
  flows: Entries<Flow>;
  flowFiles: Entries<string>;
  steps: Entries<Localized>;
  flags: Entries<FlagDefinition>;
  resources: Entries<ResourceDef>;
  sources: Entries<string>;
  ui: Entries<Record<string, string>>;
  origins: Entries<string>;
  intentIds: string[];
  textFlagIds: string[];
  understanding: UnderstandingData;
  flagLevels: Entries<RiskLevel>;
  warnings: Problem[];
}

export interface CheckedFolder {
  model: FlowModel;
  understanding: UnderstandingData;
  flagLevels: Map<string, RiskLevel>;
  warnings: Problem[];
}

export function toCached({ model, understanding, flagLevels, warnings }: CheckedFolder): CachedFolder {
  const files = (m: Map<string, Located>): Entries<string> => [...m].map(([k, src]) => [k, src.file]);
  return {
    config: model.config,
    configFile: model.configSource.file,
    flows: [...model.flows],
    flowFiles: files(model.flowSources),
    steps: [...model.steps],
    flags: [...model.flags],
    resources: [...model.resources],
    sources: [...model.sources],
    ui: [...model.ui],
    origins: files(model.origins),
    intentIds: [...model.intentIds],
    textFlagIds: [...model.textFlagIds],
    understanding,
    flagLevels: [...flagLevels],
    warnings,
  };
}

/** The folder back as a model; file names are relative to `root`, the folder above flows/. */
export function fromCached(c: CachedFolder, root: string): CheckedFolder {
  const located = new Map<string, Located>();
  // One per file, so a file is parsed at most once however many entries it defines.
  const at = (file: string) => {
    const src = located.get(file) ?? locateLater(file, resolve(root, file));
    located.set(file, src);
    return src;
  };
  const sources = (entries: Entries<string>) => new Map(entries.map(([k, file]) => [k, at(file)]));
  return {
    model: {
      config: c.config,
      configSource: at(c.configFile),
      flows: new Map(c.flows),
      flowSources: sources(c.flowFiles),
      steps: new Map(c.steps),
      flags: new Map(c.flags),
      resources: new Map(c.resources),
      sources: new Map(c.sources),
      ui: new Map(c.ui),
      origins: sources(c.origins),
      intentIds: new Set(c.intentIds),
      textFlagIds: new Set(c.textFlagIds),
    },
    understanding: c.understanding,
    flagLevels: new Map(c.flagLevels),
    warnings: c.warnings,
  };
}

export interface FolderFile {
  /** As problems name it: relative to the folder above flows/. */
  name: string;
  bytes: Buffer;
}

/** The key of a folder: its files' names and bytes, the loader's code and the parsing libraries. */
export function cacheKey(files: readonly FolderFile[]): string {
  const h = createHash('sha256').update(`safestep flows cache ${FORMAT}\0`);
  for (const part of loaderCode()) h.update(part);
  for (const f of files) h.update(`${f.name}\0${f.bytes.length}\0`).update(f.bytes);
  return h.digest('hex');
}

let code: (string | Buffer)[] | undefined;

/** src/flow and src/understand decide what a folder loads to; so do yaml and zod. Read once. */
function loaderCode(): (string | Buffer)[] {
  if (code) return code;
  const src = fileURLToPath(new URL('..', import.meta.url));
  const names = ['flow', 'understand']
    .flatMap((d) => readdirSync(join(src, d)).map((n) => `${d}/${n}`))
    .filter((n) => n.endsWith('.ts'))
    .concat('engine/types.ts')
    .sort();
  const require = createRequire(import.meta.url);
  code = [
    ...names.flatMap((n) => [`${n}\0`, readFileSync(join(src, n))]),
    ...['yaml', 'zod'].map((p) => `${p}@${(require(`${p}/package.json`) as { version: string }).version}\0`),
  ];
  return code;
}

const entryPath = (dir: string, key: string) => join(dir, `${key.slice(0, 32)}.json`);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * An entry is a header line `{"key","sum"}` and the folder as JSON; `sum` hashes that JSON, so a
 * damaged or hand-edited entry is refused rather than trusted without checks.
 */
export function readCache(dir: string, key: string): CachedFolder | undefined {
  const path = entryPath(dir, key);
  let folder: CachedFolder;
  try {
    const text = readFileSync(path, 'utf8');
    const nl = text.indexOf('\n');
    if (nl < 0) return undefined;
    const header = JSON.parse(text.slice(0, nl)) as { key?: unknown; sum?: unknown };
    const payload = text.slice(nl + 1);
    if (header.key !== key || header.sum !== sha256(payload)) return undefined;
    folder = JSON.parse(payload) as CachedFolder;
  } catch {
    return undefined;
  }
  try {
    // Marks it used, so pruning keeps it; a read-only cache still serves.
    const now = new Date();
    utimesSync(path, now, now);
  } catch {}
  return folder;
}

export function writeCache(dir: string, key: string, folder: CachedFolder): void {
  const path = entryPath(dir, key);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true });
    const payload = JSON.stringify(folder);
    writeFileSync(tmp, `${JSON.stringify({ key, sum: sha256(payload) })}\n${payload}`);
    // Readers in other processes see the old entry or the new one, never half of one.
    renameSync(tmp, path);
    prune(dir);
  } catch {
    // Read-only, full or not a folder: the bot starts as it would without a cache.
    try {
      rmSync(tmp, { force: true });
    } catch {}
  }
}

function prune(dir: string): void {
  const entries = readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .map((n) => ({
      path: join(dir, n),
      used: statSync(join(dir, n), { throwIfNoEntry: false })?.mtimeMs ?? 0,
    }))
    .sort((a, b) => b.used - a.used);
  for (const e of entries.slice(KEEP)) rmSync(e.path, { force: true });
}
