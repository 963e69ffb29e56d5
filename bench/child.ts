/**
 * A benchmark child: one measurement in a fresh process, so no contender inherits another's
 * heap, JIT state or garbage. Writes its result as JSON to the file it was given.
 */
import { writeFileSync } from 'node:fs';
import type { ChildJob } from './lib/jobs.ts';

export async function runChild(job: ChildJob, out: string): Promise<void> {
  const result = await dispatch(job);
  writeFileSync(out, JSON.stringify(result));
  // Timers a bot leaves behind (telegraf's handler timeouts, pino) must not hold the run.
  process.exit(0);
}

async function dispatch(job: ChildJob): Promise<unknown> {
  switch (job.case) {
    case 'updates':
      return (await import('./cases/updates.ts')).runUpdates(job.args);
    case 'length':
      return (await import('./cases/length.ts')).runLength(job.args);
    case 'limit':
      return (await import('./cases/limit.ts')).runLimit(job.args);
    case 'memory':
      return (await import('./cases/memory.ts')).runMemory(job.args);
    case 'load':
      return (await import('./cases/startup.ts')).runLoad(job.args);
    case 'engine':
      return (await import('./cases/engine.ts')).runEngine(job.args);
  }
}
