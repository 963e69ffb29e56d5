/**
 * Runs many scripted conversations through one engine and gathers what `safestep test`,
 * `safestep coverage` and `npm test` report: results, file problems, coverage.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Bundle } from '../flow/bundle.ts';
import type { Problem } from '../flow/problems.ts';
import { openEngineChannel } from './channels/engine.ts';
import { type Convo, readConvo } from './convo.ts';
import { CoverageCollector } from './coverage.ts';
import { lintConvo } from './lint.ts';
import type { Observed } from './observed.ts';
import { type ConvoResult, runConvo, userFor } from './runner.ts';

export const CONVO_DIR = 'test/flows';
const CONVO_FILE = /\.convo\.ya?ml$/;

/** Convo files under the given files or folders (folders searched recursively), sorted. */
export function findConvoFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const visit = (p: string) => {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p);
    } catch {
      out.push(p); // reported as unreadable by readConvo
      return;
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        const child = join(p, name);
        if (CONVO_FILE.test(name) || statSync(child).isDirectory()) visit(child);
      }
    } else out.push(p);
  };
  for (const p of paths) visit(p);
  return [...new Set(out)].sort();
}

export interface SuiteResult {
  results: ConvoResult[];
  /** Files that could not be read or do not fit the format. */
  problems: Problem[];
  coverage: CoverageCollector;
}

/** Parses every file first, so format problems are all reported even when others would run. */
export function loadConvos(
  files: readonly string[],
  cwd = process.cwd(),
): { convos: Convo[]; problems: Problem[] } {
  const convos: Convo[] = [];
  const problems: Problem[] = [];
  for (const file of files) {
    const shown = relative(cwd, file) || file;
    const parsed = readConvo(file, shown.startsWith('..') ? file : shown);
    if (parsed.ok) convos.push(parsed.convo);
    else problems.push(...parsed.problems);
  }
  return { convos, problems };
}

/** Scripts whose ids all exist in the flows, and the problems of the others (which do not run). */
export function lintConvos(
  bundle: Bundle,
  convos: readonly Convo[],
): { convos: Convo[]; problems: Problem[] } {
  const ok: Convo[] = [];
  const problems: Problem[] = [];
  for (const convo of convos) {
    const found = lintConvo(convo, bundle);
    if (found.length === 0) ok.push(convo);
    problems.push(...found);
  }
  return { convos: ok, problems };
}

export async function runSuite(
  bundle: Bundle,
  convos: readonly Convo[],
): Promise<Omit<SuiteResult, 'problems'>> {
  const coverage = new CoverageCollector(bundle);
  const channel = await openEngineChannel(bundle, coverage.trace);
  const results: ConvoResult[] = [];
  try {
    for (const convo of convos) {
      const result = await runConvo(convo, channel, userFor(convo, channel.name));
      result.seen.forEach((o: Observed) => {
        coverage.observe(o);
      });
      results.push(result);
    }
  } finally {
    await channel.close();
  }
  return { results, coverage };
}
