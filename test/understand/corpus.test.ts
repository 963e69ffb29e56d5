/**
 * The floor: first messages from test/corpus/messages.yaml, typed by new users of the real engine
 * with the real flows, land in the right flow (or are asked about it with buttons) at least 90% of
 * the time, and every danger message lands in emergency help.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatEvalReport, readCorpus, runEval } from '../../src/cli/eval.ts';
import { loadBundle } from '../../src/flow/bundle.ts';

const ROOT = join(import.meta.dirname, '..', '..');

describe('the labelled corpus', async () => {
  const bundle = await loadBundle(join(ROOT, 'flows'));
  const entries = readCorpus(join(ROOT, 'test', 'corpus', 'messages.yaml'));
  const report = await runEval(entries, bundle);

  it('is big enough to mean something, in both languages, with harmless and danger messages', () => {
    expect(entries.length).toBeGreaterThanOrEqual(160);
    expect(entries.filter((e) => /\p{Script=Han}/u.test(e.text)).length).toBeGreaterThanOrEqual(50);
    expect(entries.filter((e) => e.danger).length).toBeGreaterThanOrEqual(20);
    expect(entries.filter((e) => e.flow === bundle.config.entry).length).toBeGreaterThanOrEqual(15);
  });

  it('routes at least 90% of first messages to the right flow', () => {
    expect(report.accuracy, formatEvalReport(report)).toBeGreaterThanOrEqual(0.9);
  });

  it('takes every danger message to emergency help', () => {
    expect(report.dangerRecall, formatEvalReport(report)).toBe(1);
  });
});

/**
 * A regression guard on the newest held-out set (test/corpus/heldout-4.yaml), written by someone
 * who never saw the patterns and not tuned on. The floors sit just under its first measurement
 * (88.3% routing, all danger found); they say "no worse than on new phrasing today", not a goal.
 */
describe('the newest held-out set', async () => {
  const bundle = await loadBundle(join(ROOT, 'flows'));
  const report = await runEval(readCorpus(join(ROOT, 'test', 'corpus', 'heldout-4.yaml')), bundle);

  it('still routes at least 83% of new phrasing to the right flow', () => {
    expect(report.accuracy, formatEvalReport(report)).toBeGreaterThanOrEqual(0.83);
  });

  it('still takes every danger message to emergency help', () => {
    expect(report.dangerRecall, formatEvalReport(report)).toBe(1);
  });
});
