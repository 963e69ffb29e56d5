/**
 * `safestep paths [FLOW]`: the generated-path check (reachability, traps, emergency from every
 * state, outcomes rendering in every locale and region) and the shortest path to each outcome.
 * `safestep paths FLOW --uncovered` writes skeleton convo files for the transitions no scripted
 * conversation takes, for an author to fill in.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle } from '../flow/bundle.ts';
import { formatProblem } from '../flow/problems.ts';
import { EXIT, flowsDirOf, loadOrReport, type Out, unknownFlow } from '../toolkit/cli-support.ts';
import { cheapestPath, explore, FROM_START, placeKey, startKey, type Walk } from '../toolkit/explore.ts';
import { checkPaths, describeEvents, formatPathProblem } from '../toolkit/pathcheck.ts';
import { planSkeletons } from '../toolkit/skeleton.ts';
import { CONVO_DIR, findConvoFiles, loadConvos, runSuite } from '../toolkit/suite.ts';
import { describeTransition, flowTransitions } from '../toolkit/transitions.ts';

export interface PathsOptions {
  flowsDir?: string;
  /** Write skeleton convo files for uncovered transitions (needs a flow). */
  uncovered?: boolean;
  /** Scripts that count as coverage (default test/flows). */
  convos?: string[];
  /** Where skeletons go (default test/flows). */
  outDir?: string;
  /** Locale of the skeletons (default: the flows' default locale). */
  locale?: string;
  /** Print skeletons instead of writing them. */
  print?: boolean;
}

export async function runPaths(flowId: string | undefined, opts: PathsOptions, out: Out): Promise<number> {
  const bundle = await loadOrReport(flowsDirOf(opts.flowsDir), out);
  if (!bundle) return EXIT.failed;
  if (flowId && !bundle.flows.has(flowId)) return unknownFlow(bundle, flowId, out);
  if (opts.uncovered) {
    if (!flowId) {
      out('--uncovered needs a flow: safestep paths FLOW --uncovered');
      return EXIT.usage;
    }
    return writeSkeletons(bundle, flowId, opts, out);
  }
  const flows = flowId ? [flowId] : [...bundle.flows.keys()].sort();
  const report = await checkPaths(bundle, flows);
  const walks = report.exploration.walks;
  out(
    `walked ${report.situations} situations (a state and what the guards ahead of it see) in ${walks.length} locale/region context(s)`,
  );
  for (const id of flows) {
    const flow = bundle.flows.get(id)!;
    out('');
    out(`${id}: ${Object.keys(flow.states).length} states`);
    for (const [sid, state] of Object.entries(flow.states)) {
      if (!state.outcome) continue;
      out(`  → ${sid} (${state.outcome.level}): ${howToReach(walks, `${id}.${sid}`)}`);
    }
  }
  out('');
  for (const p of report.problems) out(formatPathProblem(p));
  for (const n of report.notes) out(`note: ${n}`);
  const ok = report.problems.length === 0;
  out(
    ok
      ? `every state reachable, no trap, emergency from every state, ${report.rendered} outcome renderings checked`
      : `${report.problems.length} problem(s)`,
  );
  return ok ? EXIT.ok : EXIT.failed;
}

/** The shortest way to a place, from the first walk (locale/region context) that reaches it. */
function howToReach(walks: readonly Walk[], place: string): string {
  for (const w of walks) {
    const start = startKey(w);
    const path = start ? cheapestPath(w, start, (s) => placeKey(s.place) === place, FROM_START) : undefined;
    if (!path) continue;
    const ctx = w.context.region ? ` (region ${w.context.region})` : '';
    return `${describeEvents(path.map((e) => e.event))}${ctx}`;
  }
  return 'not reached';
}

async function writeSkeletons(bundle: Bundle, flowId: string, opts: PathsOptions, out: Out): Promise<number> {
  const { convos, problems } = loadConvos(findConvoFiles(opts.convos ?? [CONVO_DIR]));
  for (const p of problems) out(formatProblem(p));
  const { coverage } = await runSuite(bundle, convos);
  const [report] = coverage.report(bundle, [flowId]);
  const uncovered = new Set(report!.transitions.missing.map((m) => m.transition.key));
  if (uncovered.size === 0) {
    out(`${flowId}: every transition is covered by a scripted conversation`);
    return EXIT.ok;
  }
  const locale = opts.locale ?? bundle.config.defaultLocale;
  const plan = planSkeletons(bundle, explore(bundle), flowId, uncovered, locale);
  const dir = opts.outDir ?? CONVO_DIR;
  if (!opts.print) mkdirSync(dir, { recursive: true });
  const taken = new Set(existsSync(dir) ? readdirSync(dir) : []);
  let n = 1;
  const nextName = () => {
    while (taken.has(`${flowId}.${locale}.${n}.convo.yml`)) n++;
    const name = `${flowId}.${locale}.${n}.convo.yml`;
    taken.add(name);
    return name;
  };
  for (const s of plan.skeletons) {
    if (opts.print) {
      out(`--- ${s.covers.length} uncovered transition(s)`);
      for (const line of s.text.trimEnd().split('\n')) out(line);
      continue;
    }
    const file = join(dir, nextName());
    writeFileSync(file, s.text, { flag: 'wx' });
    out(`wrote ${file}: ${s.covers.map(describeTransition).join('; ')}`);
  }
  for (const t of plan.unreachable) {
    const at = bundle.locate(flowId, t.path);
    out(
      `${at.file}:${at.line}:${at.col} no generated path takes ${describeTransition(t)} (see: safestep paths ${flowId})`,
    );
  }
  const total = flowTransitions(bundle.flows.get(flowId)!).length;
  out(
    `${uncovered.size} of ${total} transitions uncovered; ${plan.skeletons.length} skeleton(s) ${opts.print ? 'printed' : `written to ${dir}`}`,
  );
  return EXIT.ok;
}
