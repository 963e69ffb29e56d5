/**
 * CPU profiles of the timed part of a measurement only (start-up and warm-up left out), taken
 * with the inspector's sampling profiler, the one behind `node --cpu-prof`. A profiled run is
 * summarized (where the time goes, by part of the code) for RESULTS.md; its own figures are not
 * counted, since profiling slows it. SAFESTEP_BENCH_PROFILE=<folder> also keeps the raw
 * .cpuprofile files (open them in Chrome DevTools); SAFESTEP_BENCH_ALLOC=<folder> takes
 * allocation profiles instead (.heapprofile, garbage included): where the GC work comes from.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

export interface ProfileSummary {
  totalMs: number;
  /** Self time by part of the code, largest first (percent of samples). */
  areas: { area: string; pct: number }[];
  /** Functions with the most self time. */
  top: { fn: string; where: string; pct: number }[];
}

interface CpuNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: CpuNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Runs fn under the CPU profiler when asked (or when SAFESTEP_BENCH_PROFILE is set). */
export async function profiled<T>(
  name: string,
  wanted: boolean,
  fn: () => Promise<T>,
): Promise<{ value: T; profile?: ProfileSummary }> {
  if (process.env.SAFESTEP_BENCH_ALLOC)
    return { value: await allocations(process.env.SAFESTEP_BENCH_ALLOC, name, fn) };
  const dir = process.env.SAFESTEP_BENCH_PROFILE;
  if (!wanted && !dir) return { value: await fn() };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  let value: T;
  try {
    value = await fn();
  } catch (err) {
    await session.post('Profiler.stop');
    session.disconnect();
    throw err;
  }
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  if (dir) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
  }
  return wanted ? { value, profile: summarize(profile as CpuProfile) } : { value };
}

/** Parts of the code a reader can act on; first match wins. */
const AREAS: [string, RegExp][] = [
  ['garbage collection', /^\(garbage collector\)$/],
  ['SafeStep engine (src/engine)', /\/src\/engine\//],
  ['SafeStep flows (src/flow)', /\/src\/flow\//],
  ['SafeStep understanding (src/understand)', /\/src\/understand\//],
  ['SafeStep store (src/store)', /\/src\/store\//],
  ['SafeStep Telegram adapter (adapters/telegram)', /\/adapters\/telegram\//],
  ['xstate', /node_modules\/xstate\//],
  ['telegraf', /node_modules\/telegraf\//],
  ['grammY', /node_modules\/(grammy|@grammyjs)\//],
  ['better-sqlite3', /node_modules\/better-sqlite3\//],
  ['pino', /node_modules\/pino/],
  ['benchmark harness and stub (bench/)', /\/bench\//],
  ['other libraries', /node_modules\//],
  ['Node.js and V8 (JSON, promises, timers, natives)', /./],
];

function areaOf(frame: CpuNode['callFrame']): string {
  const key = frame.url || `(${frame.functionName})`;
  if (frame.functionName === '(garbage collector)') return AREAS[0]![0];
  for (const [area, re] of AREAS.slice(1)) if (re.test(key)) return area;
  return 'other';
}

/** A library file with its line; our TypeScript files without (tsx's output lines are not the source's). */
function whereOf(frame: CpuNode['callFrame']): string {
  if (!frame.url) return '';
  const lib = /\/node_modules\/(.*)$/.exec(frame.url);
  if (lib) return `${lib[1]}:${frame.lineNumber + 1}`;
  const ours = /\/((?:src|adapters|bench)\/.*)$/.exec(frame.url);
  return ours ? ours[1]! : frame.url;
}

function summarize(p: CpuProfile): ProfileSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
    total += dt;
  });
  const areas = new Map<string, number>();
  const fns = new Map<string, { fn: string; where: string; us: number }>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    // Idle, and the inspector's own start/stop, are not the code under test.
    if (frame.functionName === '(idle)' || frame.functionName === '(program)') continue;
    if (frame.functionName === 'dispatch' && frame.url === '') continue;
    const area = areaOf(frame);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const where = whereOf(frame);
    const key = `${frame.functionName} ${where}`;
    const f = fns.get(key) ?? { fn: frame.functionName || '(anonymous)', where, us: 0 };
    f.us += us;
    fns.set(key, f);
  }
  const counted = [...areas.values()].reduce((a, b) => a + b, 0);
  const pct = (us: number) => (100 * us) / counted;
  return {
    totalMs: total / 1000,
    areas: [...areas].map(([area, us]) => ({ area, pct: pct(us) })).sort((a, b) => b.pct - a.pct),
    top: [...fns.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, 12)
      .map((f) => ({ fn: f.fn, where: f.where, pct: pct(f.us) })),
  };
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
