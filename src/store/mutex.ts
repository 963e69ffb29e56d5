/**
 * One turn at a time per conversation inside one process: turns of the same key queue in arrival
 * order; different keys run freely. Shared stores (Redis) add a cross-process lease on top.
 */
export class KeyedMutex {
  /** Per busy key, a promise that settles (never rejects) once its last queued turn is done. */
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key);
    // Nobody ahead: start now rather than a microtask later.
    const result = prev ? prev.then(fn, fn) : start(fn);
    const tail: Promise<void> = result.then(
      () => this.release(key, tail),
      () => this.release(key, tail),
    );
    this.tails.set(key, tail);
    return result;
  }

  /** Forget the key once nothing is queued behind this turn, so the map does not grow forever. */
  private release(key: string, tail: Promise<void>): void {
    if (this.tails.get(key) === tail) this.tails.delete(key);
  }

  get size(): number {
    return this.tails.size;
  }
}

function start<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return fn();
  } catch (err) {
    return Promise.reject(err);
  }
}
