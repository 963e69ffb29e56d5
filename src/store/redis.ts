/**
 * The shared store for several bot processes: `redis://HOST:PORT[/DB][?prefix=P&leaseMs=N]`.
 *
 * Keys, under a prefix (default `safestep:`), per conversation K:
 *   s:K      hash {d: data, v: version}, with a TTL: the session
 *   lock:K   the lease token of the process running K's turn (SET NX PX, renewed while it runs)
 *   q:K      sorted set of waiting turns by ticket, so waiters across processes go first come, first served
 *   qm:K     hash: waiter → alive-until (server ms), plus the ticket sequence `#seq`
 * and shared: `idx` (sorted set K → updatedAt, for purge) and `counters` (hash of anonymous counters).
 *
 * Ordering across processes: a lease with expiry orders turns; every save is also a compare-and-set
 * on the version, fenced by the lease token, so a process that lost its lease can never overwrite
 * the turn of the process that took over. A holder killed mid-turn blocks K at most one lease.
 *
 * Redis unreachable: nothing queues (no offline queue, no retries of sent commands, short command
 * timeout); every operation fails at once with StoreUnavailableError and the client keeps
 * reconnecting in the background.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { KeyedMutex } from './mutex.ts';
import { type SessionStore, StoreConflictError, type Stored, StoreUnavailableError } from './types.ts';

export interface RedisStoreOptions {
  /** Prepended to every key (default `safestep:`, or `?prefix=` in the URL). */
  prefix?: string;
  /** How long a turn's lease lasts without renewal: the longest a crashed holder blocks a user (default 5000). */
  leaseMs?: number;
  /** How long a turn waits for the lease before "try again" (default 2 leases + 2 s). */
  maxWaitMs?: number;
  /** A command with no answer within this fails the turn (default 2000). */
  commandTimeoutMs?: number;
  /** How long opening waits for the first connection (default 3000). */
  connectTimeoutMs?: number;
  /** Connection state changes are logged here (never keys or data). */
  logger?: Logger;
  /** Clock for updatedAt (purge); TTLs and leases use the Redis server's own clock. */
  now?: () => number;
}

const SCRIPTS = {
  /**
   * KEYS: session, index, lock, counters. ARGV: data, ttlMs, expect ('' = any), updatedAt, member,
   * token ('' = none), then counter name and increment pairs (added only if the session is saved).
   */
  ssSave: {
    numberOfKeys: 4,
    lua: `
if ARGV[6] ~= '' then
  local holder = redis.call('GET', KEYS[3])
  if holder and holder ~= ARGV[6] then return {-2, 0} end
end
local cur = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if ARGV[3] ~= '' and tonumber(ARGV[3]) ~= cur then return {-1, cur} end
local v = cur + 1
redis.call('HSET', KEYS[1], 'd', ARGV[1], 'v', v)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5])
for i = 7, #ARGV, 2 do redis.call('HINCRBY', KEYS[4], ARGV[i], ARGV[i + 1]) end
return {v, 0}`,
  },
  /** KEYS: lock, queue, queue meta. ARGV: token, leaseMs, waiterTtlMs. Returns 1 when the lease is ours. */
  ssAcquire: {
    numberOfKeys: 3,
    lua: `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function grab()
  if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
    redis.call('ZREM', KEYS[2], ARGV[1])
    redis.call('HDEL', KEYS[3], ARGV[1])
    if redis.call('ZCARD', KEYS[2]) == 0 then redis.call('DEL', KEYS[2], KEYS[3]) end
    return true
  end
  return false
end
if redis.call('ZCARD', KEYS[2]) == 0 and grab() then return 1 end
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  redis.call('ZADD', KEYS[2], redis.call('HINCRBY', KEYS[3], '#seq', 1), ARGV[1])
end
redis.call('HSET', KEYS[3], ARGV[1], now + tonumber(ARGV[3]))
local keep = tonumber(ARGV[2]) + 2 * tonumber(ARGV[3])
redis.call('PEXPIRE', KEYS[2], keep)
redis.call('PEXPIRE', KEYS[3], keep)
while true do
  local head = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
  if head == ARGV[1] then break end
  local alive = tonumber(redis.call('HGET', KEYS[3], head) or '0')
  if alive > now then return 0 end
  redis.call('ZREM', KEYS[2], head)
  redis.call('HDEL', KEYS[3], head)
end
if grab() then return 1 end
return 0`,
  },
  /** KEYS: queue, queue meta. ARGV: token. A waiter that gives up leaves the line. */
  ssLeave: {
    numberOfKeys: 2,
    lua: `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1`,
  },
  /** KEYS: lock. ARGV: token, leaseMs. */
  ssRenew: {
    numberOfKeys: 1,
    lua: `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`,
  },
  /** KEYS: lock. ARGV: token. Deletes the lease only if it is still ours. */
  ssRelease: {
    numberOfKeys: 1,
    lua: `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`,
  },
  /** KEYS: session, queue, queue meta, index. ARGV: member. */
  ssDelete: {
    numberOfKeys: 4,
    lua: `
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
redis.call('ZREM', KEYS[4], ARGV[1])
return 1`,
  },
  /** KEYS: index. ARGV: cutoff, session key prefix, batch. Returns {sessions deleted, index entries seen}. */
  ssPurge: {
    numberOfKeys: 1,
    lua: `
local members = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local n = 0
for _, m in ipairs(members) do
  n = n + redis.call('DEL', ARGV[2] .. m)
  redis.call('ZREM', KEYS[1], m)
end
return {n, #members}`,
  },
} as const;

type Arg = string | number;
type ScriptClient = Redis & { [K in keyof typeof SCRIPTS]: (...args: Arg[]) => Promise<unknown> };

const PURGE_BATCH = 500;

/** Parses the store URL; query parameters `prefix` and `leaseMs` configure the store. */
export function parseRedisUrl(url: string): { connection: RedisOptions; prefix?: string; leaseMs?: number } {
  const u = new URL(url);
  const db = u.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new Error(`Redis database must be a number, got "${db}"`);
  const connection: RedisOptions = {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    db: db ? Number(db) : 0,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
  const prefix = u.searchParams.get('prefix') ?? undefined;
  const lease = u.searchParams.get('leaseMs');
  return {
    connection,
    ...(prefix ? { prefix } : {}),
    ...(lease && Number(lease) > 0 ? { leaseMs: Number(lease) } : {}),
  };
}

export async function openRedisStore(url: string, opts: RedisStoreOptions = {}): Promise<SessionStore> {
  const parsed = parseRedisUrl(url);
  const prefix = opts.prefix ?? parsed.prefix ?? 'safestep:';
  const leaseMs = opts.leaseMs ?? parsed.leaseMs ?? 5000;
  const maxWaitMs = opts.maxWaitMs ?? 2 * leaseMs + 2000;
  // A waiter polls at least every 50 ms; one silent for this long is gone (a killed process)
  // and loses its place, so a dead waiter delays the line by a second at most.
  const waiterTtlMs = Math.max(250, Math.min(leaseMs, 1000));
  const now = opts.now ?? Date.now;
  const log = opts.logger;

  const client = new Redis({
    ...parsed.connection,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: opts.commandTimeoutMs ?? 2000,
    connectTimeout: opts.connectTimeoutMs ?? 3000,
    retryStrategy: (times) => Math.min(50 * times, 1000),
    scripts: SCRIPTS,
  }) as ScriptClient;

  let down = false;
  client.on('ready', () => {
    if (down) log?.info({ store: 'redis' }, 'redis reachable again');
    down = false;
  });
  client.on('error', (err: Error) => {
    // Reconnection attempts repeat the same error: log the transition only.
    if (!down)
      log?.warn({ store: 'redis', err: { name: err.name, message: err.message } }, 'redis unreachable');
    down = true;
  });

  await waitUntilReady(client, opts.connectTimeoutMs ?? 3000).catch((err: unknown) => {
    client.disconnect();
    throw new StoreUnavailableError(
      `redis at ${parsed.connection.host}:${parsed.connection.port} unreachable`,
      {
        cause: safeCause(err),
      },
    );
  });

  const k = {
    session: (key: string) => `${prefix}s:${key}`,
    lock: (key: string) => `${prefix}lock:${key}`,
    queue: (key: string) => `${prefix}q:${key}`,
    queueMeta: (key: string) => `${prefix}qm:${key}`,
    index: `${prefix}idx`,
    counters: `${prefix}counters`,
  };

  /** Any failure to talk to Redis becomes StoreUnavailableError; its cause carries no command arguments. */
  async function call<T>(op: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof StoreConflictError || err instanceof StoreUnavailableError) throw err;
      throw new StoreUnavailableError(`redis ${op} failed`, { cause: safeCause(err) });
    }
  }

  const leases = new AsyncLocalStorage<{ key: string; token: string }>();
  const local = new KeyedMutex();
  let closed = false;

  async function acquire(key: string, token: string): Promise<void> {
    const deadline = Date.now() + maxWaitMs;
    for (let attempt = 0; ; attempt++) {
      const got = await call('lock', () =>
        client.ssAcquire(k.lock(key), k.queue(key), k.queueMeta(key), token, leaseMs, waiterTtlMs),
      ).catch(async (err: unknown) => {
        await leave(key, token);
        throw err;
      });
      if (got === 1) return;
      if (closed || Date.now() >= deadline) {
        await leave(key, token);
        throw new StoreUnavailableError(closed ? 'store closed' : 'conversation busy: lease wait timed out');
      }
      await sleep(backoff(attempt));
    }
  }

  async function leave(key: string, token: string): Promise<void> {
    await client.ssLeave(k.queue(key), k.queueMeta(key), token).catch(() => undefined);
  }

  async function leased<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const token = randomBytes(12).toString('base64url');
    await acquire(key, token);
    let lost = false;
    const renew = setInterval(
      () => {
        client
          .ssRenew(k.lock(key), token, leaseMs)
          .then((ok) => {
            if (ok !== 1 && !lost) {
              lost = true;
              log?.warn({ store: 'redis' }, 'turn outlived its lease; its save will be refused');
            }
          })
          // Redis down: the save will fail too; the lease simply runs out.
          .catch(() => undefined);
      },
      Math.max(50, Math.floor(leaseMs / 3)),
    );
    renew.unref();
    try {
      return await leases.run({ key, token }, fn);
    } finally {
      clearInterval(renew);
      // If Redis is gone the lease expires on its own; the turn's own result stands.
      await client.ssRelease(k.lock(key), token).catch(() => undefined);
    }
  }

  return {
    kind: 'redis',
    async load(key): Promise<Stored | undefined> {
      const [data, version] = await call('load', () => client.hmget(k.session(key), 'd', 'v'));
      if (data == null || version == null) return undefined;
      return { data, version: Number(version) };
    },
    async save(key, data, { ttlMs, expectVersion, counts = [] }) {
      const lease = leases.getStore();
      const token = lease?.key === key ? lease.token : '';
      const reply = (await call('save', () =>
        client.ssSave(
          k.session(key),
          k.index,
          k.lock(key),
          k.counters,
          typeof data === 'string' ? data : data(),
          Math.max(1, Math.round(ttlMs)),
          expectVersion ?? '',
          now(),
          key,
          token,
          ...counts.flat(),
        ),
      )) as [number, number];
      const [version, current] = reply;
      if (version === -1) throw new StoreConflictError(`version ${current}, expected ${expectVersion}`);
      if (version === -2) throw new StoreConflictError('lease lost to another process');
      return version;
    },
    async delete(key) {
      await call('delete', () =>
        client.ssDelete(k.session(key), k.queue(key), k.queueMeta(key), k.index, key),
      );
    },
    withLock(key, fn) {
      return local.run(key, () => leased(key, fn));
    },
    async count(name, by = 1) {
      await call('count', () => client.hincrby(k.counters, name, by));
    },
    async counters() {
      const all = await call('counters', () => client.hgetall(k.counters));
      return Object.fromEntries(Object.entries(all).map(([name, v]) => [name, Number(v)]));
    },
    async purge(olderThanMs) {
      const cutoff = now() - olderThanMs;
      let deleted = 0;
      for (;;) {
        const [n, seen] = (await call('purge', () =>
          client.ssPurge(k.index, cutoff, k.session(''), PURGE_BATCH),
        )) as [number, number];
        deleted += n;
        if (seen < PURGE_BATCH) return deleted;
      }
    },
    async ping() {
      if (client.status !== 'ready') return false;
      try {
        return (await client.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    async close() {
      closed = true;
      if (client.status === 'ready') await client.quit().catch(() => undefined);
      client.disconnect();
    },
  };
}

function waitUntilReady(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs);
    const onReady = () => done();
    const done = (err?: Error) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      if (err) reject(err);
      else resolve();
    };
    client.once('ready', onReady);
  });
}

/** 2, 4, 8 … 50 ms with jitter, so waiters in several processes do not poll in lockstep. */
function backoff(attempt: number): number {
  const base = Math.min(50, 2 ** (attempt + 1));
  return base / 2 + Math.random() * (base / 2);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** ioredis errors carry the command and its arguments (session data): keep only name and message. */
function safeCause(err: unknown): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  const clean = new Error(e.message);
  clean.name = e.name;
  return clean;
}
