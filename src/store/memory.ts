/**
 * In-process store: for tests, benchmarks and `memory:`. Same contract as the durable stores.
 */
import { KeyedMutex } from './mutex.ts';
import { type Data, type SaveOptions, type SessionStore, StoreConflictError, type Stored } from './types.ts';

/**
 * A saved record, handed out by load as it is: most loads only compare the version, so the text
 * is encoded on the first read. A save replaces the entry, so a record once loaded never changes.
 */
class Entry implements Stored {
  constructor(
    private raw: Data,
    readonly version: number,
    readonly updatedAt: number,
    readonly expiresAt: number,
  ) {}

  get read(): boolean {
    return typeof this.raw === 'string';
  }

  get data(): string {
    if (typeof this.raw !== 'string') this.raw = this.raw();
    return this.raw;
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
      // Text already at hand goes out as a plain record; an unread one as the entry itself.
      return e.read ? { data: e.data, version: e.version } : e;
    },
    async save(key, data, { ttlMs, expectVersion, counts }: SaveOptions) {
      const t = now();
      const current = live(key, t)?.version ?? 0;
      if (expectVersion !== undefined && expectVersion !== current) {
        throw new StoreConflictError(`version ${current}, expected ${expectVersion}`);
      }
      const version = current + 1;
      rows.set(key, new Entry(data, version, t, t + ttlMs));
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
