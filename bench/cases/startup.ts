/**
 * (5) Start-up. `load`: in a fresh process, how long loadBundle takes to read, check and compile
 * every flow (modules already imported, as at boot), and a second load in the same process.
 * `first-line`: `node bin/safestep.js start` with no platform token and the memory store, from
 * spawn to the first byte the terminal chat prints.
 */
import { spawn } from 'node:child_process';
import { loadBundle } from '../../src/index.ts';

export interface LoadArgs {
  flowsDir: string;
}

export interface LoadResult {
  importMs: number;
  firstLoadMs: number;
  secondLoadMs: number;
  flows: number;
  states: number;
}

export async function runLoad(args: LoadArgs): Promise<LoadResult> {
  // The engine's modules are imported by the child before this runs; timing the import again
  // here only sees the module cache, so importMs is measured by the parent around the whole child.
  const t0 = performance.now();
  const bundle = await loadBundle(args.flowsDir);
  const t1 = performance.now();
  await loadBundle(args.flowsDir);
  const t2 = performance.now();
  let states = 0;
  for (const flow of bundle.flows.values()) states += Object.keys(flow.states).length;
  return { importMs: 0, firstLoadMs: t1 - t0, secondLoadMs: t2 - t1, flows: bundle.flows.size, states };
}

const PLATFORM_VARS = /^(TELEGRAM_|DISCORD_|SAFESTEP_|PORT$|LOG_LEVEL$)/;

/** Milliseconds from spawning `npm start`'s command to its first byte on stdout. */
export async function firstLine(flowsDir: string): Promise<number> {
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
