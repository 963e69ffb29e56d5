import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openRedisStore, parseRedisUrl } from '../../src/store/redis.ts';
import { type SessionStore, StoreConflictError, StoreUnavailableError } from '../../src/store/types.ts';
import {
  flushPrefix,
  freePort,
  keysUnder,
  PrivateRedis,
  SHARED_URL,
  testPrefix,
} from '../ops/redis-helpers.ts';
import { describeStoreContract } from './contract.ts';

const DAY = 86_400_000;
const prefixes: string[] = [];
const opened: SessionStore[] = [];

/** A store on the shared server under a prefix of its own, closed and cleaned after the file. */
async function open(
  opts: Parameters<typeof openRedisStore>[1] = {},
  url = SHARED_URL,
): Promise<SessionStore> {
  const prefix = opts.prefix ?? testPrefix('store');
  prefixes.push(prefix);
  const store = await openRedisStore(url, { ...opts, prefix });
  opened.push(store);
  return store;
}

afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  for (const p of prefixes) await flushPrefix(p);
});

describeStoreContract('redis', (now) => open({ now }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('redis store', () => {
  it('reads the database number and options from the URL', () => {
    const p = parseRedisUrl('redis://user:p%40ss@10.0.0.5:6380/13?prefix=bot1:&leaseMs=2500');
    expect(p.connection).toMatchObject({
      host: '10.0.0.5',
      port: 6380,
      db: 13,
      username: 'user',
      password: 'p@ss',
    });
    expect(p).toMatchObject({ prefix: 'bot1:', leaseMs: 2500 });
    expect(parseRedisUrl('redis://127.0.0.1:6379').connection.db).toBe(0);
    expect(() => parseRedisUrl('redis://127.0.0.1:6379/abc')).toThrow(/number/);
  });

  it('writes under its prefix in the database of the URL, nowhere else', async () => {
    const prefix = testPrefix('db');
    prefixes.push(prefix);
    const store = await openRedisStore(`${SHARED_URL}?prefix=${encodeURIComponent(prefix)}`);
    opened.push(store);
    await store.save('tg:42', 'x', { ttlMs: DAY });
    expect(await keysUnder(prefix)).toContain(`${prefix}s:tg:42`);
    expect(await keysUnder(prefix, 'redis://127.0.0.1:6379/0')).toEqual([]);
  });

  it('serves waiting turns first come, first served across processes', async () => {
    const prefix = testPrefix('fifo');
    const [a, b, c] = await Promise.all([open({ prefix }), open({ prefix }), open({ prefix })]);
    const raw = new Redis(SHARED_URL);
    const inLine = async (n: number) => {
      while ((await raw.zcard(`${prefix}q:u`)) < n) await sleep(5);
    };
    try {
      for (const [first, second] of [
        [b, c],
        [c, b],
      ] as const) {
        const order: string[] = [];
        let release!: () => void;
        let entered!: () => void;
        const holding = new Promise<void>((r) => (entered = r));
        const held = a!.withLock('u', () => {
          entered();
          return new Promise<void>((r) => (release = r));
        });
        await holding;
        const p1 = first!.withLock('u', async () => void order.push('first'));
        await inLine(1); // the first waiter is in line before the second arrives
        const p2 = second!.withLock('u', async () => void order.push('second'));
        await inLine(2);
        await sleep(100);
        expect(order).toEqual([]); // nobody ran while the lease was held
        release();
        await Promise.all([held, p1, p2]);
        expect(order).toEqual(['first', 'second']);
      }
    } finally {
      raw.disconnect();
    }
  });

  it('a holder that vanished without releasing blocks the user only until its lease runs out', async () => {
    const prefix = testPrefix('lease');
    const crashed = await openRedisStore(SHARED_URL, { prefix, leaseMs: 1000 });
    prefixes.push(prefix);
    const other = await open({ prefix, leaseMs: 1000 });
    let entered!: () => void;
    const inTurn = new Promise<void>((r) => (entered = r));
    void crashed.withLock('u', () => {
      entered();
      return new Promise(() => {}); // never finishes
    });
    await inTurn;
    await crashed.close(); // the process is gone: no release, no renewal
    let ran = false;
    const taken = other.withLock('u', async () => {
      ran = true;
    });
    await sleep(100);
    expect(ran).toBe(false); // the lease still stands
    await taken;
    expect(ran).toBe(true);
  });

  it('refuses the save of a turn whose lease was taken over (fencing), even with the right version', async () => {
    const prefix = testPrefix('fence');
    const slow = await open({ prefix, leaseMs: 10_000 });
    const raw = new Redis(SHARED_URL);
    try {
      await slow.save('u', 'v1', { ttlMs: DAY });
      const refused = slow.withLock('u', async () => {
        const before = await slow.load('u');
        // Another process takes the conversation over (as after a lease expiry during a long pause).
        await raw.set(`${prefix}lock:u`, 'someone-else', 'PX', 10_000);
        return slow.save('u', 'stale turn', { ttlMs: DAY, expectVersion: before!.version });
      });
      await expect(refused).rejects.toBeInstanceOf(StoreConflictError);
      expect((await slow.load('u'))?.data).toBe('v1');
      await raw.del(`${prefix}lock:u`);
    } finally {
      raw.disconnect();
    }
  });

  it('delete leaves no key of the user behind', async () => {
    const prefix = testPrefix('forget');
    const store = await open({ prefix });
    const other = await open({ prefix });
    const user = 'tg:777001';
    // A waiter in line leaves queue keys; a counter must survive (it holds no user id).
    let release!: () => void;
    const held = store.withLock(user, () => new Promise<void>((r) => (release = r)));
    await sleep(30);
    const queued = other.withLock(user, async () => {
      await other.save(user, 'secret stuff', { ttlMs: DAY });
    });
    await sleep(100);
    release();
    await Promise.all([held, queued]);
    await store.count('flow_started:job-offer');
    await store.withLock(user, () => store.delete(user));
    const left = await keysUnder(prefix);
    expect(left.filter((k) => k.includes(user))).toEqual([]);
    expect(left).toContain(`${prefix}counters`);
  });

  it('refuses to open when nothing listens, quickly and with StoreUnavailableError', async () => {
    const port = await freePort();
    await expect(
      openRedisStore(`redis://127.0.0.1:${port}/0`, { connectTimeoutMs: 500 }),
    ).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});

describe('redis store when Redis goes away', () => {
  let redis: PrivateRedis;
  let store: SessionStore;
  beforeAll(async () => {
    redis = await PrivateRedis.start();
  });
  afterEach(async () => {
    await store?.close();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('fails every operation at once with StoreUnavailableError, then reconnects by itself', async () => {
    store = await openRedisStore(redis.url, { prefix: 'p:' });
    const v1 = await store.save('u', 'before the outage', { ttlMs: DAY });
    await redis.kill();
    const secret = 'card 4111 1111 1111 1111';
    const attempts = [
      store.load('u'),
      store.save('u', secret, { ttlMs: DAY, expectVersion: v1 }),
      store.count('flow_started:x'),
      store.counters(),
      store.delete('u'),
      store.purge(DAY),
      store.withLock('u', async () => 'never runs'),
    ];
    for (const result of await Promise.allSettled(attempts)) {
      expect(result.status).toBe('rejected');
      const err = (result as PromiseRejectedResult).reason as StoreUnavailableError;
      expect(err).toBeInstanceOf(StoreUnavailableError);
      // Errors end up in logs: they must not carry the session data.
      expect(JSON.stringify({ m: err.message, c: String(err.cause), s: err.stack })).not.toContain('4111');
    }
    expect(await store.ping()).toBe(false);

    await redis.restart();
    const deadline = Date.now() + 5000;
    while (!(await store.ping()) && Date.now() < deadline) await sleep(20);
    expect(await store.ping()).toBe(true);
    // Nothing acknowledged was lost, nothing refused was applied.
    expect(await store.load('u')).toEqual({ data: 'before the outage', version: v1 });
    const v2 = await store.save('u', 'after', { ttlMs: DAY, expectVersion: v1 });
    expect(await store.withLock('u', async () => (await store.load('u'))?.version)).toBe(v2);
  });
});
