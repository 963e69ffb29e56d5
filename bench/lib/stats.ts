/** Summaries of repeated measurements: medians, percentiles, and how far the runs spread. */

export function sorted(xs: readonly number[]): number[] {
  return [...xs].sort((a, b) => a - b);
}

/** Nearest-rank percentile (p in 0..100) of unsorted values. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = sorted(xs);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))]!;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = sorted(xs);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** A figure measured in several runs: the median is reported, the spread says how far to trust it. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  runs: number;
  /** (max - min) / median: the noise between runs. */
  spread: number;
}

export function summarize(xs: readonly number[]): Summary {
  const m = median(xs);
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  return { median: m, min, max, runs: xs.length, spread: m === 0 ? 0 : (max - min) / m };
}
