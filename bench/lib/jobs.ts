/** The measurements a child process can run, and how the parent starts one. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineArgs, EngineResult } from '../cases/engine.ts';
import type { LengthArgs, LengthResult } from '../cases/length.ts';
import type { LimitArgs, LimitResult } from '../cases/limit.ts';
import type { MemoryArgs, MemoryResult } from '../cases/memory.ts';
import type { LoadArgs, LoadResult } from '../cases/startup.ts';
import type { UpdatesArgs, UpdatesResult } from '../cases/updates.ts';

export type ChildJob =
  | { case: 'updates'; args: UpdatesArgs }
  | { case: 'length'; args: LengthArgs }
  | { case: 'limit'; args: LimitArgs }
  | { case: 'memory'; args: MemoryArgs }
  | { case: 'load'; args: LoadArgs }
  | { case: 'engine'; args: EngineArgs };

export interface ChildResults {
  updates: UpdatesResult;
  length: LengthResult;
  limit: LimitResult;
  memory: MemoryResult;
  load: LoadResult;
  engine: EngineResult;
}

const ENTRY = 'bin/safestep-bench.js';

/** Runs one job in a fresh `node --expose-gc` process and returns what it wrote. */
export async function inChild<J extends ChildJob>(
  job: J,
  opts: { nodeArgs?: string[]; timeoutMs?: number } = {},
): Promise<ChildResults[J['case']]> {
  const dir = mkdtempSync(join(tmpdir(), 'safestep-bench-job-'));
  const out = join(dir, 'result.json');
  try {
    const child = spawn(
      process.execPath,
      ['--expose-gc', ...(opts.nodeArgs ?? []), ENTRY, '--child', JSON.stringify(job), '--out', out],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(timer);
    if (code !== 0) throw new Error(`benchmark child ${job.case} failed (exit ${code}):\n${stderr}`);
    return JSON.parse(readFileSync(out, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
