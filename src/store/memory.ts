/**
 * In-process store: for tests, benchmarks and `memory:`. Same contract as the durable stores.
 */
import { KeyedMutex } from './mutex.ts';
import { type Data, type SaveOptions, type SessionStore, StoreConflictError, type Stored } from './types.ts';

interface Entry {
  data: Data;
  version: number;
  updatedAt: number;
  expiresAt: number;
}

/** A record handed over unencoded: most loads only compare the version, so the text waits for a read. */
class Unread implements Stored {
  constructor(
    private readonly entry: Entry,
    readonly version: number,
  ) {}

  get data(): string {
    if (typeof this.entry.data !== 'string') this.entry.data = this.entry.data();
    return this.entry.data;
  }
}

export function openMemoryStore(now: () => number = Date.now): SessionStore {
  const rows = new Map<string, Entry>();
  const counts = new Map<string, number>();
  const mutex = new KeyedMutex();
  const add = (name: string, by: number) => counts.set(name, (counts.get(name) ?? 0) + by);
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
    async load(key): Promise<Stored | undefined> {
      const e = live(key);
      if (!e) return undefined;
      return typeof e.data === 'string' ? { data: e.data, version: e.version } : new Unread(e, e.version);
    },
    async save(key, data, { ttlMs, expectVersion, counts }: SaveOptions) {
      const current = live(key)?.version ?? 0;
      if (expectVersion !== undefined && expectVersion !== current) {
        throw new StoreConflictError(`version ${current}, expected ${expectVersion}`);
      }
      const version = current + 1;
      const t = now();
      rows.set(key, { data, version, updatedAt: t, expiresAt: t + ttlMs });
      if (counts) for (const [name, by] of counts) add(name, by);
      return version;
    },
    async delete(key) {
      rows.delete(key);
    },
    withLock: (key, fn) => mutex.run(key, fn),
    async count(name, by = 1) {
      add(name, by);
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
