/**
 * What the toolkit's commands share: where the flows are, loading them with every problem printed
 * (file:line), and the exit codes.
 */
import { type Bundle, FlowLoadError, formatProblem, loadBundle } from '../index.ts';

export type Out = (line: string) => void;

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export function flowsDirOf(dir?: string): string {
  return dir ?? process.env.SAFESTEP_FLOWS ?? './flows';
}

/** The bundle, or undefined after printing why it cannot load. */
export async function loadOrReport(dir: string, out: Out): Promise<Bundle | undefined> {
  try {
    return await loadBundle(dir);
  } catch (err) {
    if (err instanceof FlowLoadError) {
      for (const p of err.problems) out(formatProblem(p));
      out(
        `${dir}: the flows do not load (${err.problems.length} problem(s)); fix them first (npx safestep validate)`,
      );
    } else {
      out(`${dir}: cannot load flows: ${err instanceof Error ? err.message : String(err)}`);
    }
    return undefined;
  }
}

export function unknownFlow(bundle: Bundle, id: string, out: Out): number {
  out(`unknown flow "${id}"; flows: ${[...bundle.flows.keys()].sort().join(', ')}`);
  return EXIT.usage;
}
