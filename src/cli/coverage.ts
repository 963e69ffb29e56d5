/**
 * `safestep coverage [paths...] [--flow ID] [--min N]`: runs the scripted conversations and
 * reports, per flow, the states visited and the transitions taken (choices, routes, decisions with
 * their guards holding and failing), listing every missing one with file:line. With --min, exits 1
 * when a flow's transition coverage is below N percent.
 */
import { formatProblem } from '../flow/problems.ts';
import { EXIT, flowsDirOf, loadOrReport, type Out, unknownFlow } from '../toolkit/cli-support.ts';
import { formatCoverage } from '../toolkit/coverage.ts';
import { formatFailure } from '../toolkit/report.ts';
import { CONVO_DIR, findConvoFiles, lintConvos, loadConvos, runSuite } from '../toolkit/suite.ts';

export interface CoverageOptions {
  flowsDir?: string;
  /** Only these flows. */
  flow?: string[];
  /** Minimum transition coverage per flow, in percent. */
  min?: number;
  /** Also print why failing scripts failed (they still count for coverage up to where they stopped). */
  verbose?: boolean;
}

export async function runCoverage(paths: string[], opts: CoverageOptions, out: Out): Promise<number> {
  if (opts.min !== undefined && !(opts.min >= 0 && opts.min <= 100)) {
    out(`--min must be a percentage between 0 and 100, got ${opts.min}`);
    return EXIT.usage;
  }
  const bundle = await loadOrReport(flowsDirOf(opts.flowsDir), out);
  if (!bundle) return EXIT.failed;
  for (const id of opts.flow ?? []) if (!bundle.flows.has(id)) return unknownFlow(bundle, id, out);
  const loaded = loadConvos(findConvoFiles(paths.length > 0 ? paths : [CONVO_DIR]));
  const { convos, problems } = lintConvos(bundle, loaded.convos);
  for (const p of [...loaded.problems, ...problems]) out(formatProblem(p));
  const { results, coverage } = await runSuite(bundle, convos);
  const failing = results.filter((r) => r.failure);
  if (failing.length > 0) {
    out(`${failing.length} of ${results.length} scripts fail; they count only up to the failing step`);
    if (opts.verbose) for (const r of failing) for (const line of formatFailure(r)) out(line);
  }
  const flows = opts.flow && opts.flow.length > 0 ? opts.flow : [...bundle.flows.keys()].sort();
  const reports = coverage.report(bundle, flows);
  for (const line of formatCoverage(reports)) out(line);
  if (opts.min === undefined) return EXIT.ok;
  const below = reports.filter((r) => r.percent < opts.min!);
  out('');
  if (below.length === 0) {
    out(`every flow has at least ${opts.min}% transition coverage`);
    return EXIT.ok;
  }
  out(
    `below ${opts.min}% transition coverage: ${below.map((r) => `${r.flow} (${Math.floor(r.percent)}%)`).join(', ')}`,
  );
  return EXIT.failed;
}
