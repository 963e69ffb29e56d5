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
  /** A box per counter: a turn's counts each cost one lookup, not a get and a set. */
  const counts = new Map<string, { value: number }>();
  const mutex = new KeyedMutex();
  const add = (name: string, by: number) => {
    const box = counts.get(name);
    if (box) box.value += by;
    else counts.set(name, { value: by });
  };
  const live = (key: string, t: number): Entry | undefined => {
    const e = rows.get(key);
    if (e && e.expiresAt <= t) {
      rows.delete(key);
      return undefined;
    }
    return e;
  };
  return {
    kind: 'memory',
    async load(key): Promise<Stored | undefined> {
      const e = live(key, now());
      if (!e) return undefined;
      return typeof e.data === 'string' ? { data: e.data, version: e.version } : new Unread(e, e.version);
    },
    async save(key, data, { ttlMs, expectVersion, counts }: SaveOptions) {
      const t = now();
      const current = live(key, t)?.version ?? 0;
      if (expectVersion !== undefined && expectVersion !== current) {
        throw new StoreConflictError(`version ${current}, expected ${expectVersion}`);
      }
      const version = current + 1;
      rows.set(key, { data, version, updatedAt: t, expiresAt: t + ttlMs });
      if (counts) for (let i = 0; i < counts.length; i++) add(counts[i]![0], counts[i]![1]);
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
      const out: Record<string, number> = {};
      for (const [name, box] of counts) out[name] = box.value;
      return out;
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
