/** Timing helpers for the benchmark children: wall and CPU time, and a clean heap between passes. */

export interface Span {
  wallMs: number;
  cpuMs: number;
}

export async function timed(fn: () => Promise<void>): Promise<Span> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** A full collection when the child runs with --expose-gc, so one pass's garbage is not the next's. */
export function collect(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Chat ids for one group of simulated people, disjoint from every other group. */
export function chatIds(group: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => group * 1_000_000 + i + 1);
}
