import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRedisStore } from '../../src/store/redis.ts';
import type { SessionStore } from '../../src/store/types.ts';
import { botEnv, isTryAgain, JsonlBot, type Line, ROOT } from './procs.ts';
import { flushPrefix, SHARED_URL, testPrefix } from './redis-helpers.ts';

/**
 * Several bot processes on one Redis, as behind one Telegram webhook: the same users' turns
 * arrive at different processes, interleaved and at once.
 */
const prefix = testPrefix('multi');
const storeUrl = `${SHARED_URL}?prefix=${encodeURIComponent(prefix)}`;
const PATH = [{ command: 'start', flow: 'job-offer' }, { choice: 'abroad' }, { choice: 'paid_fee' }];
const EXPECTED_STATES = ['where', 'fee', 'high_risk'];

let bots: JsonlBot[] = [];
let store: SessionStore;

beforeAll(async () => {
  bots = [0, 1, 2].map(() => new JsonlBot(storeUrl));
  store = await openRedisStore(storeUrl);
});

afterAll(async () => {
  await Promise.all(bots.map((b) => b.end()));
  await store?.close();
  await flushPrefix(prefix);
});

/** The engine's own record of the conversation. */
async function session(user: string): Promise<{ flow: string; state: string; turns: number }> {
  const stored = await store.load(`jsonl:${user}`);
  return JSON.parse(stored!.data) as { flow: string; state: string; turns: number };
}

function expectAnswered(lines: Line[]): void {
  for (const l of lines) {
    expect(l.error).toBeUndefined();
    expect(isTryAgain(l)).toBe(false);
  }
}

describe('several bot processes on one Redis', () => {
  it('interleave the same users’ turns without losing, duplicating or reordering any', async () => {
    const HELPS_PER_BOT = 4;
    const handOff = Array.from({ length: 6 }, (_, i) => `handoff-${i}`);
    const pipelined = Array.from({ length: 6 }, (_, i) => `pipelined-${i}`);

    // Meanwhile, every process is flooded with turns of the same users that must all count once.
    const flood = [...handOff, ...pipelined].flatMap((user) =>
      bots.flatMap((bot) => Array.from({ length: HELPS_PER_BOT }, () => bot.send({ user, command: 'help' }))),
    );

    // Hand-off: each step of a user's path goes to the next process, after the previous answer.
    const handOffRuns = handOff.map(async (user, i) => {
      const states: (string | null | undefined)[] = [];
      for (const [t, step] of PATH.entries()) {
        const line = await bots[(i + t) % bots.length]!.send({ user, ...step });
        expectAnswered([line]);
        states.push(line.state);
      }
      expect(states).toEqual(EXPECTED_STATES);
    });

    // Pipelined: a user's whole path written to one process at once; it must apply in order.
    const pipelinedRuns = pipelined.map(async (user, i) => {
      const bot = bots[i % bots.length]!;
      const lines = await Promise.all(PATH.map((step) => bot.send({ user, ...step })));
      expectAnswered(lines);
      expect(lines.map((l) => l.state)).toEqual(EXPECTED_STATES);
    });

    await Promise.all([...handOffRuns, ...pipelinedRuns]);
    expectAnswered(await Promise.all(flood));

    for (const user of [...handOff, ...pipelined]) {
      const s = await session(user);
      expect({ user, flow: s.flow, state: s.state, turns: s.turns }).toEqual({
        user,
        flow: 'job-offer',
        state: 'high_risk',
        turns: PATH.length + bots.length * HELPS_PER_BOT,
      });
    }

    // The statistics add up across processes: everybody is at the outcome, nobody elsewhere.
    const counters = await store.counters();
    const users = handOff.length + pipelined.length;
    expect(counters['at_state:job-offer.high_risk']).toBe(users);
    expect(counters['outcome:job-offer:high']).toBe(users);
    const elsewhere = Object.entries(counters).filter(
      ([name, n]) => name.startsWith('at_state:') && name !== 'at_state:job-offer.high_risk' && n !== 0,
    );
    expect(elsewhere).toEqual([]);
  });

  it('a process killed in the middle of a turn blocks that user no longer than its lease', async () => {
    const LEASE_MS = 1500;
    const user = 'crash-victim';
    await bots[0]!.send({ user, ...PATH[0] });
    expect((await bots[0]!.send({ user, ...PATH[1] })).state).toBe('fee');

    // A fourth process takes the user's next message and freezes inside the turn, holding the lease.
    const worker = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'test', 'ops', 'hang-worker.ts'),
        JSON.stringify({ user: `jsonl:${user}`, kind: 'text', text: '#hang yes they asked for a fee' }),
      ],
      { cwd: ROOT, env: botEnv(`${storeUrl}&leaseMs=${LEASE_MS}`), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise((r) => worker.once('exit', r));
    const holding = await new Promise<string>((resolve) =>
      createInterface({ input: worker.stdout! }).once('line', resolve),
    );
    expect(holding).toBe('holding');

    // The user writes again, to another process: it must not run while the turn holds the user…
    let answered = false;
    const next = bots[1]!.send({ user, choice: 'no_fee' }).then((l) => {
      answered = true;
      return l;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(answered).toBe(false);
    worker.kill('SIGKILL');
    await exited;
    const killedAt = Date.now();

    // …and is answered once the dead holder's lease ran out.
    const line = await next;
    const waited = Date.now() - killedAt;
    console.info(`turn after a SIGKILLed holder answered ${waited} ms after the kill (lease ${LEASE_MS} ms)`);
    expectAnswered([line]);
    expect(line.state).toBe('medium_risk');
    expect(waited).toBeLessThan(LEASE_MS + 2000);

    // The killed turn left nothing half-applied: its "yes" (a fee) never landed.
    const s = await session(user);
    expect(s.state).toBe('medium_risk');
    expect(s.turns).toBe(3);
  });
});
