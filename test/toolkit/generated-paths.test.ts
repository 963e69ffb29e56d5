/**
 * Generated paths through the real flows (flows/), as `npm test` holds them: every state reachable,
 * no trap state, emergency reachable from every state, every outcome rendering in every locale for
 * every region without a missing contact. One test per flow, with file:line for each problem.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBundle } from '../../src/index.ts';
import { checkPaths, formatPathProblem, type PathReport } from '../../src/toolkit/pathcheck.ts';
import { ROOT } from './helpers.ts';

const FLOWS = join(ROOT, 'flows');
const flowIds = readdirSync(FLOWS)
  .filter((f) => /\.ya?ml$/.test(f) && f !== 'safestep.yaml')
  .map((f) => f.replace(/\.ya?ml$/, ''))
  .sort();

let report: Promise<PathReport> | undefined;
const reportOnce = () => {
  report ??= loadBundle(FLOWS).then((b) => checkPaths(b));
  return report;
};

describe.runIf(flowIds.length > 0)('generated paths through every flow in flows/', () => {
  it.each(flowIds)(
    '%s: every state reachable, no trap, emergency from every state, outcomes render everywhere',
    async (flow) => {
      const { problems } = await reportOnce();
      expect(problems.filter((p) => p.flow === flow).map(formatPathProblem)).toEqual([]);
    },
  );

  it('renders every outcome in every locale and region it can be reached in', async () => {
    const { rendered, exploration } = await reportOnce();
    expect(exploration.unreachable).toEqual([]);
    expect(rendered).toBeGreaterThan(0);
  });
});
