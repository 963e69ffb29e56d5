/**
 * In-process store: for tests, benchmarks and `memory:`. Same contract as the durable stores.
 */
import { KeyedMutex } from './mutex.ts';
import { type SaveOptions, type SessionStore, StoreConflictError, type Stored } from './types.ts';

interface Entry extends Stored {
  updatedAt: number;
  expiresAt: number;
}

export function openMemoryStore(now: () => number = Date.now): SessionStore {
  const rows = new Map<string, Entry>();
  const counts = new Map<string, number>();
  const mutex = new KeyedMutex();
  const live = (key: string): Entry | undefined => {
    const e = rows.get(key);
    if (e && e.expiresAt <= now()) {
      rows.delete(key);
      return undefined;
    }
    return e;
  };
  return {
    kind: 'memory',
    async load(key) {
      const e = live(key);
      return e ? { data: e.data, version: e.version } : undefined;
    },
    async save(key, data, { ttlMs, expectVersion }: SaveOptions) {
      const current = live(key)?.version ?? 0;
      if (expectVersion !== undefined && expectVersion !== current) {
        throw new StoreConflictError(`version ${current}, expected ${expectVersion}`);
      }
      const version = current + 1;
      rows.set(key, { data, version, updatedAt: now(), expiresAt: now() + ttlMs });
      return version;
    },
    async delete(key) {
      rows.delete(key);
    },
    withLock: (key, fn) => mutex.run(key, fn),
    async count(name, by = 1) {
      counts.set(name, (counts.get(name) ?? 0) + by);
    },
    async counters() {
      return Object.fromEntries(counts);
    },
    async purge(olderThanMs) {
      const cutoff = now() - olderThanMs;
      let n = 0;
      for (const [key, e] of rows) {
        if (e.updatedAt < cutoff) {
          rows.delete(key);
          n++;
        }
      }
      return n;
    },
    async ping() {
      return true;
    },
    async close() {
      rows.clear();
    },
  };
}
