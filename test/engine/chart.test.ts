/** The statechart as the engine steps it: shortcuts give exactly what xstate gives. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { chartOf, placeOf } from '../../src/engine/chart.ts';
import { BASIC, bundleOf } from './helpers.ts';

const FLOWS = join(import.meta.dirname, '..', '..', 'flows');

describe('chart', () => {
  for (const [name, dir] of [
    ['the real flows', FLOWS],
    ['the basic fixture', BASIC],
  ] as const) {
    it(`restarts from every state of ${name} as xstate does`, async () => {
      const bundle = await bundleOf(dir);
      const chart = chartOf(bundle.machine, { locale: bundle.config.defaultLocale, region: null });
      const region = Object.keys(bundle.config.regions)[0] ?? null;
      const flag = [...bundle.flags.keys()][0];
      const self = createActor(bundle.machine, { input: { locale: bundle.config.defaultLocale, region } });
      for (const flow of bundle.flows.values()) {
        for (const state of Object.keys(flow.states)) {
          const ctx = {
            flags: flag ? [flag] : [],
            trail: [{ s: `${flow.id}.${state}`, a: 'x' }],
            locale: bundle.config.defaultLocale,
            region,
          };
          const from = chart.restore(flow.id, state, ctx);
          const ours = chart.send(from, { type: 'RESTART' });
          const theirs = bundle.machine.transition(from as never, { type: 'RESTART' }, {
            self,
            id: '',
            sessionId: '',
            system: self.system,
            logger: () => {},
            defer: () => {},
            emit: () => {},
            stopChild: () => {},
            actionExecutor: () => {},
          } as never);
          expect(placeOf(ours)).toEqual(placeOf(theirs));
          expect(ours.context).toEqual(theirs.context);
          expect(ours.status).toBe(theirs.status);
          expect(ours.historyValue).toEqual(theirs.historyValue);
        }
      }
    });
  }

  it('restarting the shared restarted snapshot is still a step', async () => {
    const bundle = await bundleOf(FLOWS);
    const chart = chartOf(bundle.machine, { locale: bundle.config.defaultLocale, region: null });
    const once = chart.send(chart.start(bundle.config.defaultLocale, null), { type: 'RESTART' });
    const twice = chart.send(once, { type: 'RESTART' });
    expect(twice).not.toBe(once);
    expect(placeOf(twice)).toEqual(placeOf(once));
  });
});
