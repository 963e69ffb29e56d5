/**
 * Which flows a run measures: the real ./flows when it loads and checks, else the small fixture
 * folder (content authors may be mid-edit), said plainly in RESULTS.md.
 */
import { type Bundle, FlowLoadError, formatProblem, loadBundle } from '../../src/index.ts';

export const REAL_FLOWS = './flows';
export const FALLBACK_FLOWS = 'test/fixtures/flows-basic';

export interface FlowsChoice {
  dir: string;
  /** Set when the real flows could not be used, with the first problem found. */
  note?: string;
}

export async function chooseFlows(): Promise<FlowsChoice> {
  const real = await tryLoad(REAL_FLOWS);
  if (real.ok) return { dir: REAL_FLOWS };
  const fallback = await tryLoad(FALLBACK_FLOWS);
  if (!fallback.ok) {
    throw new Error(`neither ${REAL_FLOWS} nor ${FALLBACK_FLOWS} loads: ${real.why}; ${fallback.why}`);
  }
  return {
    dir: FALLBACK_FLOWS,
    note: `${REAL_FLOWS} did not validate at the time of the run (${real.why}); every figure was measured with ${FALLBACK_FLOWS}.`,
  };
}

async function tryLoad(dir: string): Promise<{ ok: true; bundle: Bundle } | { ok: false; why: string }> {
  try {
    return { ok: true, bundle: await loadBundle(dir) };
  } catch (err) {
    if (err instanceof FlowLoadError) {
      const first = err.problems[0];
      return {
        ok: false,
        why: `${err.problems.length} problem(s), first: ${first ? formatProblem(first) : '?'}`,
      };
    }
    return { ok: false, why: err instanceof Error ? err.message : String(err) };
  }
}
