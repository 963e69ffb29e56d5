/**
 * The embedded default: one SQLite file (WAL), created on first use. One bot process per file:
 * the per-conversation lock is in-process; several processes share a Redis store instead.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { KeyedMutex } from './mutex.ts';
import { type Count, type SessionStore, StoreConflictError, StoreUnavailableError } from './types.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (
  key TEXT PRIMARY KEY,
  data TEXT NOT NULL,
  version INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_updated ON sessions(updated_at);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

export interface SqliteOptions {
  now?: () => number;
  /** How long a write waits for another connection's lock before the turn fails (default 2 s). */
  busyTimeoutMs?: number;
}

/** A save waiting for the next group commit, and then what came of it. */
interface Pending {
  key: string;
  data: string;
  ttlMs: number;
  expect: number | undefined;
  counts: readonly Count[];
  resolve: (version: number) => void;
  reject: (err: Error) => void;
  outcome?: number | StoreConflictError;
}

/**
 * Why a save could not be written, checked before it joins a group commit: inside the batch any
 * error fails every member, so one caller's bad input must never get that far.
 */
function malformed(
  key: unknown,
  data: unknown,
  ttlMs: unknown,
  counts: readonly Count[],
): string | undefined {
  if (typeof key !== 'string' || typeof data !== 'string') return 'key and record must be text';
  if (typeof ttlMs !== 'number' || Number.isNaN(ttlMs)) return 'ttlMs must be a number';
  for (const [name, by] of counts)
    if (typeof name !== 'string' || typeof by !== 'number' || Number.isNaN(by))
      return 'a counter needs a name and a number';
  return undefined;
}

export function openSqliteStore(path: string, opts: SqliteOptions = {}): SessionStore {
  const now = opts.now ?? Date.now;
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // /forget must leave nothing readable: overwrite deleted rows instead of just unlinking them.
  // ON, not FAST: FAST leaves old copies in pages freed when a write rebalances the tree, and it
  // measured no cheaper per save.
  db.pragma('secure_delete = ON');
  db.pragma(`busy_timeout = ${Math.round(opts.busyTimeoutMs ?? 2000)}`);
  db.exec(SCHEMA);
  // Positional parameters: binding from an object costs a property lookup per column, every turn.
  const q = {
    load: db.prepare<[string, number], { data: string; version: number }>(
      'SELECT data, version FROM sessions WHERE key = ? AND expires_at > ?',
    ),
    version: db.prepare<[string], { version: number; expires_at: number }>(
      'SELECT version, expires_at FROM sessions WHERE key = ?',
    ),
    // The usual turn: the conversation exists at the version read. Check and write in one statement.
    next: db.prepare<[string, number, number, string, number, number]>(
      `UPDATE sessions SET data = ?, updated_at = ?, expires_at = ?, version = version + 1
       WHERE key = ? AND version = ? AND expires_at > ?`,
    ),
    upsert: db.prepare<[string, string, number, number, number]>(
      `INSERT INTO sessions (key, data, version, updated_at, expires_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(key) DO UPDATE SET data = excluded.data, version = excluded.version,
         updated_at = excluded.updated_at, expires_at = excluded.expires_at`,
    ),
    delete: db.prepare<[string]>('DELETE FROM sessions WHERE key = ?'),
    count: db.prepare<[string, number]>(
      'INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = value + excluded.value',
    ),
    counters: db.prepare<[], { name: string; value: number }>('SELECT name, value FROM counters'),
    purge: db.prepare<[number]>('DELETE FROM sessions WHERE updated_at < ?'),
  };

  /** One save inside the batch's transaction: its new version, or the conflict that refused it. */
  const writeOne = (p: Pending, t: number): number | StoreConflictError => {
    if (p.expect !== undefined && p.expect > 0) {
      if (q.next.run(p.data, t, t + p.ttlMs, p.key, p.expect, t).changes === 1) return p.expect + 1;
    }
    const row = q.version.get(p.key);
    const current = row && row.expires_at > t ? row.version : 0;
    if (p.expect !== undefined && p.expect !== current)
      return new StoreConflictError(`version ${current}, expected ${p.expect}`);
    // An expired row still counts up, so a version is never handed out twice.
    const version = Math.max(current, row?.version ?? 0) + 1;
    q.upsert.run(p.key, p.data, version, t, t + p.ttlMs);
    return version;
  };
  // Group commit: the saves issued while the event loop runs one round share one transaction, so
  // the WAL pages (table, index, counters) are written once per round instead of once per turn.
  // Each save still checks its own version, in the order issued; the turn's counters land in the
  // same transaction as its session (summed per name), or not at all.
  const commit = db.transaction((batch: Pending[]) => {
    const t = now();
    const sums = new Map<string, number>();
    for (const p of batch) {
      p.outcome = writeOne(p, t);
      if (typeof p.outcome !== 'number') continue;
      for (const [name, by] of p.counts) sums.set(name, (sums.get(name) ?? 0) + by);
    }
    for (const [name, by] of sums) q.count.run(name, by);
  });
  let queue: Pending[] = [];
  /** Keys with a save in the queue: a load of one of them commits first, so it reads what was saved. */
  let queued = new Set<string>();
  /** Commits what is queued; every promise settles only after the transaction ended. */
  const flush = () => {
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    queued = new Set();
    try {
      commit(batch);
    } catch (err) {
      // Rolled back as a whole: no member landed, so every member fails.
      const failed = new StoreUnavailableError('sqlite save failed', { cause: err });
      for (const p of batch) p.reject(failed);
      return;
    }
    for (const p of batch) {
      if (typeof p.outcome === 'number') p.resolve(p.outcome);
      else p.reject(p.outcome ?? new StoreUnavailableError('sqlite save not written'));
    }
  };

  const mutex = new KeyedMutex();
  const guard = <T>(what: string, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof StoreConflictError) throw err;
      throw new StoreUnavailableError(`sqlite ${what} failed`, { cause: err });
    }
  };
  return {
    kind: 'sqlite',
    async load(key) {
      if (queued.has(key)) flush();
      return guard('load', () => q.load.get(key, now()));
    },
    save(key, data, { ttlMs, expectVersion, counts = [] }) {
      return new Promise<number>((resolve, reject) => {
        const text = guard('save', () => (typeof data === 'string' ? data : data()));
        const wrong = malformed(key, text, ttlMs, counts);
        if (wrong) throw new StoreUnavailableError(`sqlite save refused: ${wrong}`);
        queue.push({ key, data: text, ttlMs, expect: expectVersion, counts, resolve, reject });
        queued.add(key);
        // No other conversation mid-turn: nobody will join, so waiting a round would only add latency.
        if (mutex.size <= 1) flush();
        else if (queue.length === 1) setImmediate(flush);
      });
    },
    async delete(key) {
      flush();
      guard('delete', () => {
        q.delete.run(key);
        // The write-ahead log still holds old pages: fold it back and truncate it.
        db.pragma('wal_checkpoint(TRUNCATE)');
      });
    },
    withLock: (key, fn) => mutex.run(key, fn),
    async count(name, by = 1) {
      guard('count', () => q.count.run(name, by));
    },
    async counters() {
      flush();
      return Object.fromEntries(guard('counters', () => q.counters.all()).map((r) => [r.name, r.value]));
    },
    async purge(olderThanMs) {
      flush();
      return guard('purge', () => {
        const n = q.purge.run(now() - olderThanMs).changes;
        if (n > 0) db.pragma('wal_checkpoint(TRUNCATE)');
        return n;
      });
    },
    async ping() {
      try {
        db.prepare('SELECT 1').get();
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      // Saves already issued are committed before the file closes, never dropped.
      flush();
      if (db.open) db.close();
    },
  };
}
