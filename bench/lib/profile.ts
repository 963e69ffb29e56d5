/**
 * CPU profiles of the timed part of a measurement only (start-up and warm-up left out), when
 * SAFESTEP_BENCH_PROFILE names a folder: the same .cpuprofile files `node --cpu-prof` writes,
 * readable in Chrome DevTools or summarized by bench/profile-top.ts. SAFESTEP_BENCH_ALLOC names a
 * folder for allocation profiles instead (.heapprofile, garbage included): where the GC work comes from.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

export async function profiled<T>(name: string, fn: () => Promise<T>): Promise<T> {
  if (process.env.SAFESTEP_BENCH_ALLOC) return allocations(process.env.SAFESTEP_BENCH_ALLOC, name, fn);
  const dir = process.env.SAFESTEP_BENCH_PROFILE;
  if (!dir) return fn();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

async function allocations<T>(dir: string, name: string, fn: () => Promise<T>): Promise<T> {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('HeapProfiler.stopSampling');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.heapprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}
