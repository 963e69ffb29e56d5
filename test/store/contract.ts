/**
 * What every session store promises the engine (src/store/types.ts), as one vitest suite:
 *   describeStoreContract('sqlite', (now) => Promise.resolve(openSqliteStore(tmpFile(), { now })));
 * `open` must return an EMPTY store each call, and must use `now` for updatedAt (purge) and, where
 * the store keeps its own clock for TTLs, may ignore it there: TTL tests also wait in real time.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SessionStore, StoreConflictError } from '../../src/store/types.ts';

const DAY = 86_400_000;
const LONG = 30 * DAY;

export interface TestClock {
  now: () => number;
  advance(ms: number): void;
}

export function testClock(start = Date.now()): TestClock {
  let t = start;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function describeStoreContract(
  name: string,
  open: (now: () => number) => Promise<SessionStore>,
): void {
  describe(`${name} store contract`, () => {
    let store: SessionStore;
    let clock: TestClock;
    beforeEach(async () => {
      clock = testClock();
      store = await open(clock.now);
    });
    afterEach(async () => {
      await store.close();
    });
    const key = () => `test:${randomUUID()}`;

    it('answers ping and finds nothing for an unknown conversation', async () => {
      expect(await store.ping()).toBe(true);
      expect(await store.load(key())).toBeUndefined();
    });

    it('gives back what was saved, with a version that grows on every save', async () => {
      const k = key();
      const v1 = await store.save(k, '{"turns":1}', { ttlMs: LONG });
      expect(await store.load(k)).toEqual({ data: '{"turns":1}', version: v1 });
      const v2 = await store.save(k, '{"turns":2}', { ttlMs: LONG, expectVersion: v1 });
      expect(v2).toBeGreaterThan(v1);
      expect(await store.load(k)).toEqual({ data: '{"turns":2}', version: v2 });
    });

    it('keeps keys apart, whatever characters they hold', async () => {
      const keys = [
        `tg:-100${randomUUID()}`,
        `dc:${randomUUID()}`,
        `cli:用户 ${randomUUID()}`,
        `x{y}:${randomUUID()}`,
      ];
      for (const [i, k] of keys.entries()) await store.save(k, `data ${i}`, { ttlMs: LONG });
      for (const [i, k] of keys.entries()) expect((await store.load(k))?.data).toBe(`data ${i}`);
    });

    it('refuses a save whose expected version is stale, and keeps the stored one', async () => {
      const k = key();
      await expect(store.save(k, 'a', { ttlMs: LONG, expectVersion: 3 })).rejects.toBeInstanceOf(
        StoreConflictError,
      );
      expect(await store.load(k)).toBeUndefined();
      const v1 = await store.save(k, 'first', { ttlMs: LONG, expectVersion: 0 });
      await expect(
        store.save(k, 'again from nothing', { ttlMs: LONG, expectVersion: 0 }),
      ).rejects.toBeInstanceOf(StoreConflictError);
      const v2 = await store.save(k, 'second', { ttlMs: LONG, expectVersion: v1 });
      await expect(store.save(k, 'late writer', { ttlMs: LONG, expectVersion: v1 })).rejects.toBeInstanceOf(
        StoreConflictError,
      );
      expect(await store.load(k)).toEqual({ data: 'second', version: v2 });
      // No expectation: the save always lands.
      const v3 = await store.save(k, 'forced', { ttlMs: LONG });
      expect(await store.load(k)).toEqual({ data: 'forced', version: v3 });
    });

    it('lets exactly one of two racing saves from the same version win', async () => {
      const k = key();
      const v1 = await store.save(k, 'base', { ttlMs: LONG });
      const results = await Promise.allSettled([
        store.save(k, 'left', { ttlMs: LONG, expectVersion: v1 }),
        store.save(k, 'right', { ttlMs: LONG, expectVersion: v1 }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(StoreConflictError);
      const winner = results[0]?.status === 'fulfilled' ? 'left' : 'right';
      expect((await store.load(k))?.data).toBe(winner);
    });

    it('forgets a session once its TTL has passed', async () => {
      const k = key();
      const keep = key();
      await store.save(k, 'short-lived', { ttlMs: 40 });
      await store.save(keep, 'long-lived', { ttlMs: LONG });
      await sleep(120);
      clock.advance(120);
      expect(await store.load(k)).toBeUndefined();
      expect((await store.load(keep))?.data).toBe('long-lived');
      // An expired session counts as absent for compare-and-set.
      await store.save(k, 'fresh', { ttlMs: LONG, expectVersion: 0 });
      expect((await store.load(k))?.data).toBe('fresh');
    });

    it('delete removes the conversation and only it; deleting the unknown is fine', async () => {
      const k = key();
      const other = key();
      await store.save(k, 'mine', { ttlMs: LONG });
      await store.save(other, 'theirs', { ttlMs: LONG });
      await store.delete(k);
      await store.delete(key());
      expect(await store.load(k)).toBeUndefined();
      expect((await store.load(other))?.data).toBe('theirs');
      await store.save(k, 'new start', { ttlMs: LONG, expectVersion: 0 });
      expect((await store.load(k))?.data).toBe('new start');
    });

    it('runs the turns of one conversation one at a time, in the order they arrived', async () => {
      const k = key();
      const turns = [1, 2, 3, 4, 5, 6].map((n) =>
        store.withLock(k, async () => {
          // Read-modify-write with pauses: any overlap would lose or reorder an entry.
          const before = await store.load(k);
          await sleep(Math.random() * 10);
          const list = before ? `${before.data},${n}` : `${n}`;
          await store.save(k, list, { ttlMs: LONG, expectVersion: before?.version ?? 0 });
          return n;
        }),
      );
      expect(await Promise.all(turns)).toEqual([1, 2, 3, 4, 5, 6]);
      expect((await store.load(k))?.data).toBe('1,2,3,4,5,6');
    });

    it('does not make one conversation wait for another', async () => {
      const a = key();
      const b = key();
      let releaseA!: () => void;
      const aHeld = new Promise<void>((r) => {
        releaseA = r;
      });
      const turnA = store.withLock(a, () => aHeld);
      // If b waited for a, this would never settle: a is released only after b ran.
      const turnB = store.withLock(b, async () => 'b done');
      const first = await Promise.race([turnB, sleep(3000).then(() => 'b blocked')]);
      releaseA();
      await turnA;
      expect(first).toBe('b done');
    });

    it('passes a turn failure to its caller and lets the next turn run', async () => {
      const k = key();
      const failing = store.withLock(k, async () => {
        throw new Error('turn broke');
      });
      const next = store.withLock(k, async () => 'next ran');
      await expect(failing).rejects.toThrow('turn broke');
      expect(await next).toBe('next ran');
    });

    it('adds counters up exactly, also when many increments race', async () => {
      const tag = randomUUID().slice(0, 8);
      await store.count(`flow_started:job-${tag}`);
      await store.count(`flow_started:job-${tag}`, 2);
      await store.count(`at_state:job-${tag}.where`, 1);
      await store.count(`at_state:job-${tag}.where`, -1);
      await Promise.all(Array.from({ length: 50 }, () => store.count(`locale:en-${tag}`)));
      const all = await store.counters();
      expect(all[`flow_started:job-${tag}`]).toBe(3);
      expect(all[`at_state:job-${tag}.where`]).toBe(0);
      expect(all[`locale:en-${tag}`]).toBe(50);
    });

    it('adds the counters handed with a save, and none when the save is refused', async () => {
      const tag = randomUUID().slice(0, 8);
      const k = key();
      const counts = [
        [`at_state:job-${tag}.where`, 1],
        [`flow_started:job-${tag}`, 1],
      ] as const;
      const v1 = await store.save(k, 'first', { ttlMs: LONG, expectVersion: 0, counts });
      await expect(
        store.save(k, 'stale', { ttlMs: LONG, expectVersion: 0, counts: [[`flow_started:job-${tag}`, 5]] }),
      ).rejects.toBeInstanceOf(StoreConflictError);
      await store.save(k, 'second', {
        ttlMs: LONG,
        expectVersion: v1,
        counts: [
          [`at_state:job-${tag}.where`, -1],
          [`at_state:job-${tag}.fee`, 1],
        ],
      });
      const all = await store.counters();
      expect(all[`flow_started:job-${tag}`]).toBe(1);
      expect(all[`at_state:job-${tag}.where`]).toBe(0);
      expect(all[`at_state:job-${tag}.fee`]).toBe(1);
      expect((await store.load(k))?.data).toBe('second');
    });

    it('keeps a record handed over as a function, and gives back its text', async () => {
      const k = key();
      const v1 = await store.save(k, () => '{"turns":1}', { ttlMs: LONG });
      expect(await store.load(k)).toMatchObject({ data: '{"turns":1}', version: v1 });
      expect(JSON.parse((await store.load(k))!.data)).toEqual({ turns: 1 });
    });

    it('purges sessions not updated for the given time, and only those', async () => {
      const old1 = key();
      const old2 = key();
      const recent = key();
      await store.save(old1, 'old', { ttlMs: LONG });
      await store.save(old2, 'old', { ttlMs: LONG });
      clock.advance(3 * DAY);
      await store.save(recent, 'recent', { ttlMs: LONG });
      expect(await store.purge(2 * DAY)).toBe(2);
      expect(await store.load(old1)).toBeUndefined();
      expect(await store.load(old2)).toBeUndefined();
      expect((await store.load(recent))?.data).toBe('recent');
      expect(await store.purge(2 * DAY)).toBe(0);
    });
  });
}
