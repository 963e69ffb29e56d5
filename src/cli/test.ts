/**
 * `safestep test [paths...] [--channel engine|terminal|all]`: runs scripted conversations
 * (test/flows/*.convo.yml by default). A failure prints the file:line of the step, what was
 * expected, and what the bot actually said and offered.
 */
import { join, resolve } from 'node:path';
import { formatProblem } from '../flow/problems.ts';
import { openJsonlChannel } from '../toolkit/channels/jsonl.ts';
import { EXIT, flowsDirOf, loadOrReport, type Out } from '../toolkit/cli-support.ts';
import { compareRuns } from '../toolkit/compare.ts';
import { formatFailure, formatPass } from '../toolkit/report.ts';
import { type ConvoResult, runConvo, userFor } from '../toolkit/runner.ts';
import { CONVO_DIR, findConvoFiles, lintConvos, loadConvos, runSuite } from '../toolkit/suite.ts';

/** Where bin/safestep.js is, whatever the working directory. */
const REPO_ROOT = join(import.meta.dirname, '..', '..');

export interface TestOptions {
  flowsDir?: string;
  /** engine (default), terminal (the JSONL adapter as a process), or all. */
  channel?: string;
  /** Print passing conversations too. */
  verbose?: boolean;
  /** Repository root, where bin/safestep.js lives (for the terminal channel). */
  root?: string;
}

export async function runTest(paths: string[], opts: TestOptions, out: Out): Promise<number> {
  const channel = opts.channel ?? 'engine';
  if (!['engine', 'terminal', 'all'].includes(channel)) {
    out(`unknown channel "${channel}": use engine, terminal or all`);
    return EXIT.usage;
  }
  const flowsDir = flowsDirOf(opts.flowsDir);
  const bundle = await loadOrReport(flowsDir, out);
  if (!bundle) return EXIT.failed;
  const files = findConvoFiles(paths.length > 0 ? paths : [CONVO_DIR]);
  const loaded = loadConvos(files);
  const linted = lintConvos(bundle, loaded.convos);
  const convos = linted.convos;
  const problems = [...loaded.problems, ...linted.problems];
  for (const p of problems) out(formatProblem(p));
  if (files.length === 0) out(`no *.convo.yml files under ${paths.join(', ') || CONVO_DIR}`);

  const results: ConvoResult[] = [];
  if (channel !== 'terminal') results.push(...(await runSuite(bundle, convos)).results);
  if (channel !== 'engine') {
    const terminal = openJsonlChannel({ root: resolve(opts.root ?? REPO_ROOT), flowsDir: resolve(flowsDir) });
    try {
      for (const convo of convos)
        results.push(await runConvo(convo, terminal, userFor(convo, terminal.name)));
    } finally {
      await terminal.close();
    }
  }
  // With every channel, the same script must also take the same course on each of them.
  const disagreements: string[] = [];
  if (channel === 'all') {
    for (const convo of convos) {
      const [a, b] = results.filter((r) => r.convo === convo);
      if (a && b) disagreements.push(...compareRuns(a, b));
    }
  }
  const failed = results.filter((r) => r.failure);
  for (const r of results) {
    if (r.failure) {
      out('');
      for (const line of formatFailure(r)) out(line);
    } else if (opts.verbose) out(formatPass(r));
  }
  if (disagreements.length > 0) {
    out('');
    out('the channels disagree:');
    for (const d of disagreements) out(`  ${d}`);
  }
  out('');
  const broken = new Set(problems.map((p) => p.file)).size;
  out(`${results.length - failed.length} passed, ${failed.length + broken} failed`);
  return failed.length + broken + disagreements.length > 0 || files.length === 0 ? EXIT.failed : EXIT.ok;
}
