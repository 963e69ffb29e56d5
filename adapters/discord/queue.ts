/**
 * One person's events in arrival order: a turn and the messages it sends finish before the next
 * turn of the same person starts, so replies never interleave. Different people run in parallel.
 */
export interface KeyedQueue {
  run(key: string, job: () => Promise<void>): Promise<void>;
  /** Resolves when every queued job has finished. */
  idle(): Promise<void>;
}

export function keyedQueue(): KeyedQueue {
  const tails = new Map<string, Promise<void>>();
  return {
    run(key, job) {
      const prev = tails.get(key) ?? Promise.resolve();
      const next = prev.then(job, job).finally(() => {
        if (tails.get(key) === next) tails.delete(key);
      });
      tails.set(key, next);
      return next;
    },
    async idle() {
      while (tails.size > 0) await Promise.allSettled([...tails.values()]);
    },
  };
}
