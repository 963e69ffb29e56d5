import { performance } from 'node:perf_hooks';

/**
 * The sub-millisecond clock, from perf_hooks: the global `performance` is a lazy getter on
 * globalThis, looked up again on every read, and these limits read the clock several times a call.
 */
const clock = (): number => performance.now();

/**
 * A token bucket: `capacity` calls at once, refilled at `perSecond`. Pure apart from the clock
 * (sub-millisecond, so a pacer can allow more than one call a millisecond).
 * With a capacity of 1 it is a pacer: calls at least 1/perSecond apart, never a burst.
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    private readonly now: () => number = clock,
  ) {
    this.tokens = capacity;
    this.at = now();
  }

  /** ms until a token is free (0: now), taking nothing. */
  wait(): number {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.at) / 1000) * this.perSecond);
    this.at = t;
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
  }

  /** Takes a token and returns 0, or returns how many ms until one is free (taking nothing). */
  take(): number {
    const wait = this.wait();
    if (wait === 0) this.tokens -= 1;
    return wait;
  }
}

/**
 * At most `perSecond` calls in any rolling second, as Telegram counts the bot's messages, spread
 * out rather than sent in bursts. Telegram counts a call when it arrives, somewhere between our
 * sending it and its answer coming back; a call is counted here from its answer, so no rolling
 * second at Telegram's end ever holds one too many, whatever the network and our own event loop
 * did to the timing. Very high limits (tests, benchmarks) keep the same shape over a shorter
 * window with at most 100 calls.
 */
export class RollingLimit {
  /** When each of the last `size` calls was answered (Infinity: not yet), oldest at `oldest`. */
  private readonly answered: number[];
  private oldest = 0;
  private last = Number.NEGATIVE_INFINITY;
  private readonly windowMs: number;
  private readonly gapMs: number;

  constructor(
    perSecond: number,
    private readonly now: () => number = clock,
  ) {
    const size = Math.max(1, Math.min(100, Math.floor(perSecond)));
    this.answered = new Array<number>(size).fill(Number.NEGATIVE_INFINITY);
    this.windowMs = (size * 1000) / perSecond;
    // A little under an even spacing, so a late timer is made up within the second.
    this.gapMs = (0.9 * 1000) / perSecond;
  }

  /** ms until a call may go (0: now; Infinity: once a call in flight is answered). */
  wait(): number {
    const t = this.now();
    const w = Math.max(this.answered[this.oldest]! + this.windowMs - t, this.last + this.gapMs - t);
    return w > 0 ? Math.ceil(w) : 0;
  }

  /** Counts a call going now; returns its slot, for answered(). */
  take(): number {
    const slot = this.oldest;
    this.answered[slot] = Number.POSITIVE_INFINITY;
    this.oldest = (slot + 1) % this.answered.length;
    this.last = this.now();
    return slot;
  }

  /** The call in `slot` was answered (or failed): its second starts now. */
  done(slot: number): void {
    this.answered[slot] = this.now();
  }
}
