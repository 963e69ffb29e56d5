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

export function openSqliteStore(path: string, opts: SqliteOptions = {}): SessionStore {
  const now = opts.now ?? Date.now;
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // /forget must leave nothing readable: overwrite deleted rows instead of just unlinking them.
  db.pragma('secure_delete = ON');
  db.pragma(`busy_timeout = ${Math.round(opts.busyTimeoutMs ?? 2000)}`);
  db.exec(SCHEMA);
  const q = {
    load: db.prepare<[string, number], { data: string; version: number }>(
      'SELECT data, version FROM sessions WHERE key = ? AND expires_at > ?',
    ),
    version: db.prepare<[string], { version: number; expires_at: number }>(
      'SELECT version, expires_at FROM sessions WHERE key = ?',
    ),
    upsert: db.prepare(
      `INSERT INTO sessions (key, data, version, updated_at, expires_at) VALUES (@key, @data, @version, @now, @expires)
       ON CONFLICT(key) DO UPDATE SET data = excluded.data, version = excluded.version,
         updated_at = excluded.updated_at, expires_at = excluded.expires_at`,
    ),
    delete: db.prepare<[string]>('DELETE FROM sessions WHERE key = ?'),
    count: db.prepare<[{ name: string; by: number }]>(
      'INSERT INTO counters (name, value) VALUES (@name, @by) ON CONFLICT(name) DO UPDATE SET value = value + @by',
    ),
    counters: db.prepare<[], { name: string; value: number }>('SELECT name, value FROM counters'),
    purge: db.prepare<[number]>('DELETE FROM sessions WHERE updated_at < ?'),
  };
  // Check-and-write in one transaction, so a version can never be skipped or written twice.
  // The turn's counters join the same transaction: one write per turn, never a count without its turn.
  const save = db.transaction(
    (key: string, data: string, ttlMs: number, expect: number | undefined, counts: readonly Count[]) => {
      const t = now();
      const row = q.version.get(key);
      const current = row && row.expires_at > t ? row.version : 0;
      if (expect !== undefined && expect !== current)
        throw new StoreConflictError(`version ${current}, expected ${expect}`);
      const version = Math.max(current, row?.version ?? 0) + 1;
      q.upsert.run({ key, data, version, now: t, expires: t + ttlMs });
      for (const [name, by] of counts) q.count.run({ name, by });
      return version;
    },
  );
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
      return guard('load', () => q.load.get(key, now()));
    },
    async save(key, data, { ttlMs, expectVersion, counts = [] }) {
      return guard('save', () =>
        save(key, typeof data === 'string' ? data : data(), ttlMs, expectVersion, counts),
      );
    },
    async delete(key) {
      guard('delete', () => {
        q.delete.run(key);
        // The write-ahead log still holds old pages: fold it back and truncate it.
        db.pragma('wal_checkpoint(TRUNCATE)');
      });
    },
    withLock: (key, fn) => mutex.run(key, fn),
    async count(name, by = 1) {
      guard('count', () => q.count.run({ name, by }));
    },
    async counters() {
      return Object.fromEntries(guard('counters', () => q.counters.all()).map((r) => [r.name, r.value]));
    },
    async purge(olderThanMs) {
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
      if (db.open) db.close();
    },
  };
}
