/**
 * Properties over every flow: random sequences of texts, choices (valid, stale, forged), commands
 * and process restarts never throw, always answer within the platforms' limits, keep a valid
 * state, and /emergency and /restart work from every state reached.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMMANDS, type Engine, type TurnResult, validateFlows } from '../../src/index.ts';
import { openMemoryStore } from '../../src/store/memory.ts';
import { BASIC, bundleOf, engineFor } from '../engine/helpers.ts';
import { reportTally, tally } from './tally.ts';

reportTally(import.meta.filename);

const REAL = join(import.meta.dirname, '..', '..', 'flows');
const realIsValid = existsSync(REAL) && validateFlows(REAL).every((p) => p.severity !== 'error');
const folders = [BASIC, ...(realIsValid ? [REAL] : [])];

const HOSTILE = [
  '',
  ' ',
  '1',
  '99',
  '０',
  'yes',
  '不是',
  'they took my passport',
  '我被扣了出不来',
  '<b>bold</b> <script>alert(1)</script>',
  '*_[link](javascript:alert(1))_*',
  '\u202eevil\u202c',
  'a\u200bb\u200dc\ufeff',
  '\ud800 lone surrogate',
  '😀🙏🏽👩‍👩‍👧',
  '\u0000\u0007\u001b[31mred',
  'x'.repeat(100_000),
  'send 5000 USDT to TXy7dX9q1hN5k2oVw8uR3s4t6u7v8w9x0 now',
  'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
  'call +855 12 345 678 or visit http://xn--pypal-4ve.com/login',
  '/unknown',
  '/start nonexistent-flow',
];

type Action =
  | { kind: 'text'; text: string }
  | { kind: 'pick'; index: number }
  | { kind: 'stale'; index: number }
  | { kind: 'forged'; choice: string; stamp: string }
  | { kind: 'command'; command: (typeof COMMANDS)[number]; arg?: string }
  | { kind: 'restart-process' };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE).map((text) => ({ kind: 'text' as const, text })) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((text) => ({ kind: 'text' as const, text })) },
  { weight: 6, arbitrary: fc.nat(30).map((index) => ({ kind: 'pick' as const, index })) },
  { weight: 1, arbitrary: fc.nat(30).map((index) => ({ kind: 'stale' as const, index })) },
  {
    weight: 1,
    arbitrary: fc
      .record({
        choice: fc.stringMatching(/^[_a-z:-]{1,20}$/),
        stamp: fc.stringMatching(/^[A-Za-z0-9]{0,14}$/),
      })
      .map((r) => ({ kind: 'forged' as const, ...r })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({
        command: fc.constantFrom(...COMMANDS),
        arg: fc.option(fc.constantFrom('zh-CN', 'en', 'xx', 'job-offer'), { nil: undefined }),
      })
      .map((r) => ({ kind: 'command' as const, command: r.command, ...(r.arg ? { arg: r.arg } : {}) })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart-process' as const }) },
);

function checkLimits(r: TurnResult): void {
  expect(r.replies.length).toBeGreaterThan(0);
  for (const rep of r.replies) {
    expect(rep.text.length).toBeGreaterThan(0);
    expect(rep.text.length).toBeLessThanOrEqual(8000);
    expect(rep.text).not.toMatch(/[\u0000-\u0008\u202e]/);
    for (const c of rep.choices ?? []) {
      expect([...c.label].length).toBeLessThanOrEqual(80);
      // Telegram's callback_data: `stamp|id` within 64 bytes.
      expect(Buffer.byteLength(`${rep.stamp ?? ''}|${c.id}`)).toBeLessThanOrEqual(64);
    }
    expect((rep.choices ?? []).length).toBeLessThanOrEqual(25);
  }
}

describe.each(folders)('random conversations in %s', (dir) => {
  it('never throw, stay within limits, keep a valid state, and can always reach help', async () => {
    const bundle = await bundleOf(dir);
    const valid = (r: TurnResult) =>
      r.flow === null ||
      (bundle.flows.has(r.flow) && r.state !== null && r.state in bundle.flows.get(r.flow)!.states);
    await fc.assert(
      fc.asyncProperty(
        fc.array(action, { minLength: 1, maxLength: 25 }),
        fc.constantFrom('en', 'zh-CN'),
        async (actions, locale) => {
          const store = openMemoryStore();
          let engine: Engine = await engineFor({ dir, store, rateLimitPerMinute: 0 });
          const user = 'prop';
          let last: TurnResult = await engine.handle({ user, kind: 'command', command: 'start', locale });
          const stamps: string[] = [];
          for (const a of actions) {
            const shown = last.replies.flatMap((r) => r.choices ?? []);
            const stamp = last.replies.find((r) => r.stamp)?.stamp;
            if (stamp) stamps.push(stamp);
            let r: TurnResult;
            if (a.kind === 'restart-process') {
              // A new engine over the same store, as after a crash or a deploy.
              engine = await engineFor({ dir, store, rateLimitPerMinute: 0 });
              tally.restarts++;
              continue;
            }
            if (a.kind === 'text') r = await engine.handle({ user, kind: 'text', text: a.text, locale });
            else if (a.kind === 'pick') {
              const c = shown[a.index % Math.max(shown.length, 1)];
              r = await engine.handle(
                c
                  ? { user, kind: 'choice', choice: c.id, ...(stamp ? { stamp } : {}) }
                  : { user, kind: 'text', text: 'hello' },
              );
            } else if (a.kind === 'stale') {
              const old = stamps[a.index % Math.max(stamps.length, 1)];
              r = await engine.handle({
                user,
                kind: 'choice',
                choice: shown[0]?.id ?? 'x',
                ...(old ? { stamp: old } : {}),
              });
              tally.forged++;
            } else if (a.kind === 'forged') {
              r = await engine.handle({ user, kind: 'choice', choice: a.choice, stamp: a.stamp });
              tally.forged++;
            } else
              r = await engine.handle({
                user,
                kind: 'command',
                command: a.command,
                ...(a.arg ? { arg: a.arg } : {}),
              });
            tally.events++;
            if (a.kind === 'text') tally.badInputs++;
            checkLimits(r);
            expect(valid(r)).toBe(true);
            last = r;
          }
          const sos = await engine.handle({ user, kind: 'command', command: 'emergency' });
          expect(sos.flow).toBe(bundle.config.emergency);
          const again = await engine.handle({ user, kind: 'command', command: 'restart' });
          expect([again.flow, again.state]).toEqual([
            bundle.config.entry,
            bundle.flows.get(bundle.config.entry)!.start,
          ]);
        },
      ),
      { numRuns: dir === BASIC ? 150 : 100 },
    );
  });
});
