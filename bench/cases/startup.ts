/**
 * (5) Start-up, with and without the parsed-flows cache (src/flow/cache.ts), each honestly named:
 *
 * - `load`: in a fresh process (modules already imported, as at boot), loadBundle with no cache:
 *   read, parse, check and compile every flow, as for a folder never loaded or just edited; then
 *   a second such call in the same, warm process; then, in another fresh process, loadBundle of
 *   the same unchanged folder from its cache entry. It also spawns `npm start` on a copy of the
 *   folder no cache entry can match, for the first line without the cache.
 * - `firstLine`: `node bin/safestep.js start` with no platform token and the memory store, from
 *   spawn to the first byte the terminal chat prints, with the folder's cache entry present (a
 *   restart, the usual case).
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBundle } from '../../src/index.ts';
import { inChild } from '../lib/jobs.ts';

export interface LoadArgs {
  flowsDir: string;
  /** Set for the nested child that measures a load from the cache entry in this folder. */
  cacheDir?: string;
}

export interface LoadResult {
  importMs: number;
  /** No cache: the first call in a fresh process. */
  firstLoadMs: number;
  /** No cache: a second call in the same process (warm). */
  secondLoadMs: number;
  /** From the cache, the folder unchanged: the first call in another fresh process. */
  cachedLoadMs?: number;
  /** `npm start` to its first line when no cache entry matches the folder. */
  coldFirstLineMs?: number;
  flows: number;
  states: number;
}

export async function runLoad(args: LoadArgs): Promise<LoadResult> {
  // The engine's modules are imported by the child before this runs; timing the import again
  // here only sees the module cache, so importMs is measured by the parent around the whole child.
  if (args.cacheDir) {
    const t = performance.now();
    const bundle = await loadBundle(args.flowsDir, { cacheDir: args.cacheDir });
    return {
      ...sizeOf(bundle),
      importMs: 0,
      firstLoadMs: 0,
      secondLoadMs: 0,
      cachedLoadMs: performance.now() - t,
    };
  }
  const t0 = performance.now();
  const bundle = await loadBundle(args.flowsDir, { cacheDir: false });
  const t1 = performance.now();
  await loadBundle(args.flowsDir, { cacheDir: false });
  const t2 = performance.now();

  const scratch = mkdtempSync(join(tmpdir(), 'safestep-bench-startup-'));
  try {
    const cacheDir = join(scratch, 'cache');
    await loadBundle(args.flowsDir, { cacheDir });
    const cached = await inChild({ case: 'load', args: { flowsDir: args.flowsDir, cacheDir } });
    // Entries are keyed by file names as well as bytes: a copy under another name never matches.
    const copy = join(scratch, `flows-${Date.now()}`);
    cpSync(args.flowsDir, copy, { recursive: true });
    return {
      ...sizeOf(bundle),
      importMs: 0,
      firstLoadMs: t1 - t0,
      secondLoadMs: t2 - t1,
      ...(cached.cachedLoadMs !== undefined ? { cachedLoadMs: cached.cachedLoadMs } : {}),
      coldFirstLineMs: await spawnToFirstLine(copy),
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function sizeOf(bundle: Awaited<ReturnType<typeof loadBundle>>): { flows: number; states: number } {
  let states = 0;
  for (const flow of bundle.flows.values()) states += Object.keys(flow.states).length;
  return { flows: bundle.flows.size, states };
}

/** Milliseconds from spawning `npm start`'s command to its first byte on stdout, from the cache. */
export async function firstLine(flowsDir: string): Promise<number> {
  // Writes the folder's entry if it is missing, as the first start after an edit would.
  await loadBundle(flowsDir);
  return spawnToFirstLine(flowsDir);
}

const PLATFORM_VARS = /^(TELEGRAM_|DISCORD_|SAFESTEP_|PORT$|LOG_LEVEL$)/;

async function spawnToFirstLine(flowsDir: string): Promise<number> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!PLATFORM_VARS.test(k)) env[k] = v;
  env.SAFESTEP_STORE = 'memory:';
  env.SAFESTEP_FLOWS = flowsDir;
  const t0 = performance.now();
  const child = spawn(process.execPath, ['bin/safestep.js', 'start'], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  try {
    return await new Promise<number>((resolve, reject) => {
      child.stdout.once('data', () => resolve(performance.now() - t0));
      child.once('exit', (code) =>
        reject(new Error(`npm start exited (${code}) before printing:\n${stderr}`)),
      );
      setTimeout(() => reject(new Error('npm start printed nothing within 30 s')), 30_000).unref();
    });
  } finally {
    child.kill('SIGKILL');
  }
}
