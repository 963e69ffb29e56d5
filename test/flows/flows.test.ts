/**
 * The real flows, as `npm test` holds them: every scripted conversation in test/flows passes
 * (one test per file), every flow keeps ≥ 90% transition coverage, and each flow has its scripts
 * in every locale. Format: test/flows/README.md. The generated paths through the real flows are
 * test/toolkit/generated-paths.test.ts (a file of their own, to keep each file fast).
 */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Bundle, FlowLoadError, formatProblem, loadBundle } from '../../src/index.ts';
import { formatCoverage } from '../../src/toolkit/coverage.ts';
import { formatFailure } from '../../src/toolkit/report.ts';
import {
  findConvoFiles,
  lintConvos,
  loadConvos,
  runSuite,
  type SuiteResult,
} from '../../src/toolkit/suite.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const FLOWS = join(ROOT, 'flows');
const CONVOS = join(ROOT, 'test', 'flows');
/** The floor CI holds: transitions (choices, routes, decisions both ways) taken by scripts. */
const MIN_COVERAGE = 90;
const SCRIPTS_PER_LOCALE = 2;

const files = findConvoFiles([CONVOS]);
/** Flows that exist now (content authors add theirs in parallel): flows/<id>.yaml. */
const flowIds = readdirSync(FLOWS)
  .filter((f) => /\.ya?ml$/.test(f) && f !== 'safestep.yaml')
  .map((f) => f.replace(/\.ya?ml$/, ''))
  .sort();

let bundle: Promise<Bundle> | undefined;
const bundleOnce = () => {
  bundle ??= loadBundle(FLOWS);
  return bundle;
};
let suite: Promise<SuiteResult> | undefined;
/** Every script once, whichever test asks first; coverage needs them all. */
const suiteOnce = () => {
  suite ??= (async () => {
    const b = await bundleOnce();
    const loaded = loadConvos(files, ROOT);
    const linted = lintConvos(b, loaded.convos);
    return { problems: [...loaded.problems, ...linted.problems], ...(await runSuite(b, linted.convos)) };
  })();
  return suite;
};

it('flows/ loads without a problem', async () => {
  const problems = await bundleOnce().then(
    () => [],
    (err: unknown) => (err instanceof FlowLoadError ? err.problems.map(formatProblem) : [String(err)]),
  );
  expect(problems).toEqual([]);
});

describe.runIf(files.length > 0)('scripted conversations (test/flows/*.convo.yml)', () => {
  it.each(files.map((f) => [basename(f), f]))('%s', async (_name, file) => {
    const { results, problems } = await suiteOnce();
    const mine = problems.filter((p) => file.endsWith(p.file));
    expect(
      mine.map((p) => `${p.file}:${p.line}:${p.col} ${p.message}`),
      'the file does not fit the format',
    ).toEqual([]);
    const result = results.find((r) => file.endsWith(r.convo.file));
    expect(result, 'the script did not run').toBeDefined();
    // On failure: file:line of the step, expected against actual, what the bot said and offered.
    expect(formatFailure(result!).join('\n')).toBe('');
  });
});

describe.runIf(flowIds.length > 0)(
  `every flow: at least ${MIN_COVERAGE}% of transitions covered by scripts`,
  () => {
    it.each(flowIds)('%s', async (flow) => {
      const b = await bundleOnce();
      expect(b.flows.has(flow), `flows/${flow}.yaml does not define flow "${flow}"`).toBe(true);
      const { coverage } = await suiteOnce();
      const [report] = coverage.report(b, [flow]);
      const detail = formatCoverage([report!]).join('\n');
      expect(
        report!.percent,
        `${detail}\n(write scripts for these, or run: npx safestep paths ${flow} --uncovered)`,
      ).toBeGreaterThanOrEqual(MIN_COVERAGE);
    });
  },
);

describe.runIf(flowIds.length > 0)(
  `every flow: ${SCRIPTS_PER_LOCALE}+ scripts per locale, reaching different outcomes`,
  () => {
    it.each(flowIds)('%s', async (flow) => {
      const b = await bundleOnce();
      const { results } = await suiteOnce();
      for (const locale of b.config.locales) {
        const mine = results.filter((r) => basename(r.convo.file).startsWith(`${flow}.${locale}.`));
        expect(
          mine.length,
          `test/flows/${flow}.${locale}.<n>.convo.yml: ${mine.length} script(s)`,
        ).toBeGreaterThanOrEqual(SCRIPTS_PER_LOCALE);
        const outcomes = new Set(
          mine.map((r) => {
            const last = r.seen.at(-1);
            return last?.outcome ? `${last.flow}.${last.state}` : 'none';
          }),
        );
        expect(
          outcomes.size,
          `${flow} in ${locale}: every script ends at ${[...outcomes].join(', ')}`,
        ).toBeGreaterThanOrEqual(2);
      }
    });
  },
);
