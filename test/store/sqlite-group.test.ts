/**
 * Group commit in the SQLite store: while other conversations are mid-turn, saves wait for the end
 * of the event-loop round and share one transaction. Each keeps its own version check and outcome,
 * and resolves only once committed. Real files; a second connection looks at what is on disk.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { type SessionStore, StoreConflictError, StoreUnavailableError } from '../../src/store/types.ts';
import { tempDir } from '../engine/helpers.ts';

const LONG = 86_400_000;
const opened: SessionStore[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});

function open(file = join(tempDir(), 'group.db'), busyTimeoutMs?: number) {
  const store = openSqliteStore(file, busyTimeoutMs === undefined ? {} : { busyTimeoutMs });
  opened.push(store);
  return { store, file };
}

/** What another connection finds in the file: committed rows only. */
function onDisk(file: string): Map<string, { data: string; version: number }> {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare('SELECT key, data, version FROM sessions').all() as {
      key: string;
      data: string;
      version: number;
    }[];
    return new Map(rows.map((r) => [r.key, { data: r.data, version: r.version }]));
  } finally {
    db.close();
  }
}

/** One turn per key, all in flight at once, as the engine runs a burst of updates. */
function turns<T>(store: SessionStore, keys: string[], fn: (key: string, i: number) => Promise<T>) {
  return Promise.allSettled(keys.map((k, i) => store.withLock(k, () => fn(k, i))));
}

/** Other conversations mid-turn until released: saves issued meanwhile join a group commit. */
function busyElsewhere(store: SessionStore) {
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const held = Promise.all(['elsewhere:1', 'elsewhere:2'].map((k) => store.withLock(k, () => gate)));
  return {
    done: () => {
      release();
      return held;
    },
  };
}

const keysOf = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `tg:${tag}${i}`);

describe('sqlite group commit', () => {
  it('lands every save of a burst of conversations, each with its own version and counters', async () => {
    const { store, file } = open();
    const keys = keysOf(300, 'burst');
    for (const wave of [1, 2]) {
      const results = await turns(store, keys, async (k) => {
        const s = await store.load(k);
        return store.save(k, `${k} wave ${wave}`, {
          ttlMs: LONG,
          expectVersion: s?.version ?? 0,
          counts: [['turns', 1]],
        });
      });
      expect(results.every((r) => r.status === 'fulfilled' && r.value === wave)).toBe(true);
    }
    const disk = onDisk(file);
    expect(disk.size).toBe(300);
    for (const k of keys) expect(disk.get(k)).toEqual({ data: `${k} wave 2`, version: 2 });
    expect((await store.counters()).turns).toBe(600);
  });

  it('resolves a save only once it is committed, and not before', async () => {
    const { store, file } = open();
    const other = busyElsewhere(store);
    await store.withLock('tg:durable', async () => {
      const saved = store.save('tg:durable', 'kept', { ttlMs: LONG, expectVersion: 0 });
      expect(onDisk(file).has('tg:durable')).toBe(false);
      expect(await saved).toBe(1);
      expect(onDisk(file).get('tg:durable')).toEqual({ data: 'kept', version: 1 });
    });
    await other.done();
  });

  it('refuses a stale save alone: the rest of its batch lands, its counters do not', async () => {
    const { store, file } = open();
    const keys = keysOf(50, 'stale');
    const results = await turns(store, keys, (k, i) =>
      store.save(k, `${k} data`, { ttlMs: LONG, expectVersion: i === 7 ? 5 : 0, counts: [['turns', 1]] }),
    );
    const lost = results.flatMap((r, i) => (r.status === 'rejected' ? [{ i, reason: r.reason }] : []));
    expect(lost).toHaveLength(1);
    expect(lost[0]?.i).toBe(7);
    expect(lost[0]?.reason).toBeInstanceOf(StoreConflictError);
    const disk = onDisk(file);
    expect(disk.size).toBe(49);
    expect(disk.has(keys[7]!)).toBe(false);
    expect((await store.counters()).turns).toBe(49);
  });

  it('applies several saves of one conversation in one batch in the order issued', async () => {
    const { store, file } = open();
    const other = busyElsewhere(store);
    const results = await store.withLock('tg:order', async () => {
      const o = { ttlMs: LONG };
      const issued = [
        store.save('tg:order', 'one', { ...o, expectVersion: 0 }),
        store.save('tg:order', 'two', { ...o, expectVersion: 1 }),
        store.save('tg:order', 'late', { ...o, expectVersion: 1 }),
        store.save('tg:order', 'three', { ...o, expectVersion: 2 }),
      ];
      // All four are still waiting for the same commit.
      expect(onDisk(file).has('tg:order')).toBe(false);
      return Promise.allSettled(issued);
    });
    await other.done();
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : r.reason.name))).toEqual([
      1,
      2,
      'StoreConflictError',
      3,
    ]);
    expect(onDisk(file).get('tg:order')).toEqual({ data: 'three', version: 3 });
  });

  it('commits the saves already issued when the store closes', async () => {
    const { store, file } = open();
    const other = busyElsewhere(store);
    const keys = keysOf(10, 'close');
    const saves = keys.map((k) => store.save(k, `${k} last words`, { ttlMs: LONG, expectVersion: 0 }));
    expect(onDisk(file).size).toBe(0);
    await store.close();
    expect(await Promise.all(saves)).toEqual(keys.map(() => 1));
    await other.done();
    const again = open(file).store;
    for (const k of keys) expect(await again.load(k)).toEqual({ data: `${k} last words`, version: 1 });
  });

  it('fails every save of a batch that cannot be written, and lands none of it', async () => {
    const { store, file } = open(undefined, 50);
    await store.save('tg:before', 'x', { ttlMs: LONG });
    const blocker = new Database(file);
    blocker.exec('BEGIN EXCLUSIVE');
    const keys = keysOf(20, 'locked');
    const results = await turns(store, keys, (k) =>
      store.save(k, 'never', { ttlMs: LONG, expectVersion: 0, counts: [['turns', 1]] }),
    );
    blocker.exec('ROLLBACK');
    blocker.close();
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof StoreUnavailableError)).toBe(
      true,
    );
    expect([...onDisk(file).keys()]).toEqual(['tg:before']);
    expect((await store.counters()).turns).toBeUndefined();
    // Released: the same turns now land.
    const retried = await turns(store, keys, (k) => store.save(k, 'now', { ttlMs: LONG, expectVersion: 0 }));
    expect(retried.every((r) => r.status === 'fulfilled')).toBe(true);
  });

  it('refuses a save that cannot be written alone, without failing its batch', async () => {
    const { store, file } = open();
    const keys = keysOf(10, 'bad');
    const results = await turns(store, keys, (k, i) =>
      store.save(k, 'ok', { ttlMs: i === 3 ? Number.NaN : LONG, expectVersion: 0 }),
    );
    expect(results[3]).toMatchObject({ status: 'rejected', reason: expect.any(StoreUnavailableError) });
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(9);
    expect(onDisk(file).size).toBe(9);
  });

  it('refuses a save that expects the version of a conversation whose TTL has passed', async () => {
    let t = Date.now();
    const store = openSqliteStore(join(tempDir(), 'ttl.db'), { now: () => t });
    opened.push(store);
    const v1 = await store.save('tg:ttl', 'short-lived', { ttlMs: 1000, expectVersion: 0 });
    t += 1000;
    await expect(store.save('tg:ttl', 'too late', { ttlMs: LONG, expectVersion: v1 })).rejects.toBeInstanceOf(
      StoreConflictError,
    );
    // Gone counts as absent, and the version still grows: it is never handed out twice.
    expect(await store.save('tg:ttl', 'fresh', { ttlMs: LONG, expectVersion: 0 })).toBe(v1 + 1);
  });

  it('lets a load, the counters and /forget issued after a save see it', async () => {
    const { store, file } = open();
    const other = busyElsewhere(store);
    await store.withLock('tg:ryw', async () => {
      const saved = store.save('tg:ryw', 'secret', { ttlMs: LONG, expectVersion: 0, counts: [['seen', 1]] });
      expect(await store.load('tg:ryw')).toEqual({ data: 'secret', version: 1 });
      const again = store.save('tg:ryw', 'more secret', {
        ttlMs: LONG,
        expectVersion: 1,
        counts: [['seen', 1]],
      });
      expect((await store.counters()).seen).toBe(2);
      const third = store.save('tg:ryw', 'most secret', { ttlMs: LONG, expectVersion: 2 });
      await store.delete('tg:ryw');
      expect(await Promise.all([saved, again, third])).toEqual([1, 2, 3]);
    });
    await other.done();
    expect(await store.load('tg:ryw')).toBeUndefined();
    expect(onDisk(file).has('tg:ryw')).toBe(false);
  });
});
