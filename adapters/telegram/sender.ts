/**
 * Every outgoing Bot API call goes through here, because telegraf retries nothing but polling.
 * One dispatcher for the whole bot decides which call leaves next:
 *
 * - Telegram counts about 30 messages in any rolling second: calls leave spread out, never more
 *   than that in any second as Telegram sees it (see RollingLimit), never in a burst (a burst
 *   after a lull, on top of the second before it, was refused).
 * - A 429 means the bot went too fast: nothing leaves until its retry_after has passed, then the
 *   refused call goes first and the same call is sent again (a 429 means nothing was sent, so the
 *   reply arrives once).
 * - Button answers go first (a spinner is turning), then chats waiting for their first message,
 *   then messages for chats that were just sent one; a chat's own calls leave strictly in order,
 *   one at a time, within a token bucket per chat.
 * - 5xx and network errors back off and retry a few times; a 403 (bot blocked) drops what was
 *   waiting for that chat.
 */
import type { Logger } from '../../src/index.ts';
import { RollingLimit, TokenBucket } from './bucket.ts';
import { classify, describeError, type Failure } from './errors.ts';
import { Fifo } from './fifo.ts';

export interface SendLimits {
  /** Calls per second for the whole bot (Telegram: about 30 messages a second). */
  perSecond: number;
  /** New messages per second in one private chat (Telegram: about 1, short bursts allowed). */
  privatePerSecond: number;
  /** New messages per minute in one group (Telegram: 20). */
  groupPerMinute: number;
  /** How many new messages a chat may get at once before the per-chat rate applies. */
  chatBurst: number;
}

export const TELEGRAM_LIMITS: SendLimits = {
  perSecond: 30,
  privatePerSecond: 1,
  groupPerMinute: 20,
  chatBurst: 3,
};

export interface Backoff {
  baseMs: number;
  maxMs: number;
  /** Tries for a call failing with 5xx or the network, the first included. */
  attempts: number;
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 500, maxMs: 30_000, attempts: 6 };
/** A call Telegram keeps rate-limiting is given up after this many 429s. */
const MAX_RETRY_AFTERS = 10;
/**
 * A chat sent a message this recently is not waiting for its first one: what else it is owed
 * waits behind those who have had nothing yet. Also how long an idle chat's limit is remembered.
 */
const RECENT_MS = 10_000;

export type Payload = Record<string, unknown>;

export interface Call {
  method: string;
  payload: Payload;
}

export interface Job {
  /**
   * Built when the job reaches the head of its chat's queue, so it sees what was sent before it
   * (the message ids it edits or deletes). undefined skips the job.
   */
  build(): Call | undefined;
  /** New messages count against the chat's budget; edits, deletions and answers do not. */
  readonly counts?: boolean;
  onSent?(result: unknown): void;
  /** Jobs to run instead when this one fails for good (e.g. a method an older server lacks). */
  fallback?(failure: Failure): Job[] | undefined;
}

/** 'waiting': still queued when the caller's patience ran out (it still goes out). */
export type Delivery = 'sent' | 'skipped' | 'failed' | 'unreachable' | 'stopped' | 'waiting';

export interface ChatRef {
  id: number;
  group: boolean;
}

/** The jobs of one enqueue (or one direct call): settled together, with the last one's delivery. */
interface Batch {
  left: number;
  /** undefined once the caller has its answer. */
  resolve: ((d: Delivery) => void) | undefined;
  /** When the caller stops waiting. */
  until: number;
}

interface Item {
  job: Job;
  batch: Batch;
  /** Built once; a retry sends the same call. */
  call: Call | undefined;
  limited: number;
  transient: number;
}

/** A chat's queue, or one call outside any chat (a button answer): at most one call in flight. */
interface Lane {
  /** undefined: a call outside any chat's order. */
  chat?: number;
  waiting: Item[];
  bucket?: TokenBucket;
  state: 'idle' | 'listed' | 'running' | 'sleeping';
  /** When this chat was last sent a new message (0: not recently). */
  lastSent: number;
}

export interface SendQueueOptions {
  call(method: string, payload: Payload): Promise<unknown>;
  logger: Logger;
  limits?: Partial<SendLimits>;
  backoff?: Partial<Backoff>;
  /**
   * How long a caller waits: a promise from enqueue() or now() resolves 'waiting' after this long
   * if its calls are still queued (they still go out). Default: until they are done.
   */
  patienceMs?: number;
}

export class SendQueue {
  private readonly limits: SendLimits;
  private readonly backoff: Backoff;
  private readonly pace: RollingLimit;
  /** Lanes ready to go, by priority: calls outside chats, chats owed a first message, the rest. */
  private readonly direct = new Fifo<Lane>();
  private readonly fresh = new Fifo<Lane>();
  private readonly later = new Fifo<Lane>();
  /** Lanes not idle, for stop(). */
  private readonly active = new Set<Lane>();
  private readonly sleepers = new Map<Lane, NodeJS.Timeout>();
  /** Chat lanes in two generations: an idle lane not touched for a generation is forgotten. */
  private recent = new Map<number, Lane>();
  private older = new Map<number, Lane>();
  private rotatedAt = Date.now();
  private readonly keepMs: number;
  /** A 429 holds back every call until then. */
  private pausedUntil = 0;
  private wakeAt = 0;
  private wakeTimer: NodeJS.Timeout | undefined;
  private pumping = false;
  private stopped = false;
  private pending = 0;
  private readonly idleWaiters: (() => void)[] = [];
  /** Batches whose callers still wait, oldest first (all wait equally long: one timer serves). */
  private readonly waits = new Fifo<Batch>();
  private waitTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: SendQueueOptions) {
    this.limits = { ...TELEGRAM_LIMITS, ...opts.limits };
    this.backoff = { ...DEFAULT_BACKOFF, ...opts.backoff };
    this.pace = new RollingLimit(this.limits.perSecond);
    // Long enough for a chat's bucket to fill up again, so forgetting it loses nothing.
    const slowest = Math.min(this.limits.privatePerSecond, this.limits.groupPerMinute / 60);
    this.keepMs = Math.max(RECENT_MS, (this.limits.chatBurst / slowest) * 1000);
  }

  /**
   * Queues jobs for one chat, after everything queued for it before; resolves when they are all
   * done or given up, with the last one's delivery.
   */
  enqueue(chat: ChatRef, jobs: readonly Job[]): Promise<Delivery> {
    if (this.stopped) return Promise.resolve('stopped');
    if (jobs.length === 0) return Promise.resolve('skipped');
    const lane = this.chatLane(chat);
    return new Promise((resolve) => {
      const batch = this.batch(jobs.length, resolve);
      for (const job of jobs) lane.waiting.push(itemOf(job, batch));
      this.pending += jobs.length;
      if (lane.state === 'idle') this.list(lane, false);
      this.pump();
    });
  }

  /** A call outside any chat's order (answering a button press): retried, globally limited, first. */
  now(call: Call): Promise<Delivery> {
    if (this.stopped) return Promise.resolve('stopped');
    return new Promise((resolve) => {
      const item: Item = { job: DIRECT, batch: this.batch(1, resolve), call, limited: 0, transient: 0 };
      this.pending++;
      // Every field set, as for a chat's lane: one shape for all lanes keeps the dispatcher's reads fast.
      this.list({ chat: undefined, waiting: [item], bucket: undefined, state: 'idle', lastSent: 0 }, false);
      this.pump();
    });
  }

  /** Calls waiting or in flight. */
  depth(): number {
    return this.pending;
  }

  /**
   * Lets queued calls go out for up to `ms`, then gives up on the rest (they resolve 'stopped';
   * a call already on its way finishes). Returns how many were given up.
   */
  async drain(ms: number): Promise<number> {
    if (this.pending > 0) {
      await new Promise<void>((resolve) => {
        this.idleWaiters.push(resolve);
        setTimeout(resolve, ms).unref();
      });
    }
    const abandoned = this.pending;
    this.stopped = true;
    clearTimeout(this.wakeTimer);
    clearTimeout(this.waitTimer);
    for (const timer of this.sleepers.values()) clearTimeout(timer);
    this.sleepers.clear();
    for (const lane of this.active) {
      const keep = lane.state === 'running' ? 1 : 0;
      for (const item of lane.waiting.splice(keep)) this.settle(item, 'stopped');
    }
    if (abandoned > 0) this.opts.logger.warn({ abandoned }, 'telegram calls given up at shutdown');
    return abandoned;
  }

  // ---------- dispatching ----------

  /** Starts every call the pace allows now; sets one timer for the next. */
  private pump(): void {
    if (this.pumping || this.stopped) return;
    this.pumping = true;
    try {
      while (this.direct.size + this.fresh.size + this.later.size > 0) {
        const wait = Math.max(this.pausedUntil - Date.now(), this.pace.wait());
        // Infinity: the next answer frees a slot, and pumps.
        if (wait > 0) {
          if (wait < Number.POSITIVE_INFINITY) this.wakeIn(wait);
          return;
        }
        const lane = this.direct.shift() ?? this.fresh.shift() ?? this.later.shift();
        if (lane) this.start(lane);
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Sends the lane's next call, or puts the lane to sleep until its chat may get one. */
  private start(lane: Lane): void {
    for (let item = lane.waiting[0]; item; item = lane.waiting[0]) {
      const { job } = item;
      const wait = job.counts && lane.bucket ? lane.bucket.wait() : 0;
      if (wait > 0) {
        this.sleep(lane, wait);
        return;
      }
      item.call ??= job.build();
      const call = item.call;
      if (!call) {
        lane.waiting.shift();
        this.settle(item, 'skipped');
        continue;
      }
      const slot = this.pace.take();
      lane.state = 'running';
      const sent = item;
      this.opts.call(call.method, call.payload).then(
        (result) => {
          this.answered(lane, sent, slot);
          this.sent(lane, sent, result);
        },
        (err: unknown) => {
          this.answered(lane, sent, slot);
          this.failed(lane, sent, call, err);
        },
      );
      return;
    }
    this.idle(lane);
  }

  /**
   * Limits count a call from its answer: Telegram saw it at some moment before, so the next
   * second can only start later at our end than at Telegram's.
   */
  private answered(lane: Lane, item: Item, slot: number): void {
    this.pace.done(slot);
    if (item.job.counts) lane.bucket?.take();
  }

  private sent(lane: Lane, item: Item, result: unknown): void {
    if (item.job.counts) lane.lastSent = Date.now();
    item.job.onSent?.(result);
    // A chat keeps its place until it has had a new message (an edit before it does not count).
    this.done(lane, 'sent', !item.job.counts);
  }

  private failed(lane: Lane, item: Item, call: Call, err: unknown): void {
    if (this.stopped) {
      this.done(lane, 'stopped');
      return;
    }
    const { logger } = this.opts;
    const { method } = call;
    const failure = classify(err);
    if (failure.kind === 'retry-after' && ++item.limited <= MAX_RETRY_AFTERS) {
      logger.info({ method, retryAfterMs: failure.ms }, 'telegram asked to slow down');
      // The bot as a whole went too fast, not only this call: every call waits.
      this.pausedUntil = Math.max(this.pausedUntil, Date.now() + failure.ms);
      this.list(lane, true);
      this.pump();
    } else if (failure.kind === 'transient' && ++item.transient < this.backoff.attempts) {
      const ms = Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** (item.transient - 1));
      logger.info({ method, retryInMs: ms, ...describeError(err) }, 'telegram call will be retried');
      this.sleep(lane, ms * (1 + Math.random() * 0.2));
      this.pump();
    } else if (failure.kind === 'unreachable') {
      logger.info({ method, ...describeError(err) }, 'chat unreachable; dropping its queue');
      for (const other of lane.waiting.splice(1)) this.settle(other, 'unreachable');
      this.done(lane, 'unreachable');
    } else if (failure.kind === 'permanent' && failure.notModified) {
      // Editing a message to what it already says: the goal is met.
      this.done(lane, 'sent');
    } else {
      logger.warn(
        { method, limited: item.limited, attempts: item.transient, ...describeError(err) },
        GAVE_UP[failure.kind],
      );
      this.giveUp(lane, item, failure);
    }
  }

  /** The head failed for good: its fallback jobs take its place, or it is settled as failed. */
  private giveUp(lane: Lane, item: Item, failure: Failure): void {
    const instead = item.job.fallback?.(failure) ?? [];
    if (instead.length === 0) {
      this.done(lane, 'failed');
      return;
    }
    const { batch } = item;
    batch.left += instead.length - 1;
    this.pending += instead.length - 1;
    lane.waiting.splice(0, 1, ...instead.map((job) => itemOf(job, batch)));
    this.list(lane, true);
    this.pump();
  }

  /** The head is settled: the lane goes on with its next call, if any. */
  private done(lane: Lane, delivery: Delivery, front = true): void {
    const item = lane.waiting.shift();
    if (item) this.settle(item, delivery);
    if (this.stopped) {
      for (const other of lane.waiting.splice(0)) this.settle(other, 'stopped');
    }
    if (lane.waiting.length > 0) this.list(lane, front);
    else this.idle(lane);
    this.pump();
  }

  private settle(item: Item, delivery: Delivery): void {
    this.pending--;
    if (--item.batch.left === 0) this.answer(item.batch, delivery);
    if (this.pending === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  // ---------- callers' patience ----------

  private batch(left: number, resolve: (d: Delivery) => void): Batch {
    const ms = this.opts.patienceMs;
    const batch: Batch = { left, resolve, until: ms === undefined ? 0 : Date.now() + ms };
    if (ms !== undefined) {
      this.waits.push(batch);
      this.waitTimer ??= setTimeout(() => this.lose(), ms).unref();
    }
    return batch;
  }

  private answer(batch: Batch, delivery: Delivery): void {
    const resolve = batch.resolve;
    batch.resolve = undefined;
    resolve?.(delivery);
    // Answered batches leave from the front, so the queue holds only those still waiting.
    while (this.waits.size > 0 && !this.waits.peek()!.resolve) this.waits.shift();
  }

  /** The oldest callers' patience ran out: they stop waiting; the timer moves to the next. */
  private lose(): void {
    this.waitTimer = undefined;
    const now = Date.now();
    for (let b = this.waits.peek(); b && b.until <= now; b = this.waits.peek()) this.answer(b, 'waiting');
    const next = this.waits.peek();
    if (next) this.waitTimer = setTimeout(() => this.lose(), next.until - now).unref();
  }

  // ---------- lanes ----------

  /** Ready to go; first in its class when it has had its turn already (a retry, a wake-up). */
  private list(lane: Lane, front: boolean): void {
    lane.state = 'listed';
    this.active.add(lane);
    const fifo =
      lane.chat === undefined
        ? this.direct
        : lane.lastSent > 0 && Date.now() - lane.lastSent < RECENT_MS
          ? this.later
          : this.fresh;
    if (front) fifo.unshift(lane);
    else fifo.push(lane);
  }

  private idle(lane: Lane): void {
    lane.state = 'idle';
    this.active.delete(lane);
  }

  private sleep(lane: Lane, ms: number): void {
    lane.state = 'sleeping';
    this.sleepers.set(
      lane,
      setTimeout(() => {
        this.sleepers.delete(lane);
        this.list(lane, true);
        this.pump();
      }, ms),
    );
  }

  private wakeIn(ms: number): void {
    const at = Date.now() + ms;
    if (this.wakeTimer && this.wakeAt <= at) return;
    clearTimeout(this.wakeTimer);
    this.wakeAt = at;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.pump();
    }, ms);
  }

  /** The chat's lane, kept while busy or recently sent to, so its own limit holds across turns. */
  private chatLane(chat: ChatRef): Lane {
    const now = Date.now();
    if (now - this.rotatedAt >= this.keepMs) {
      for (const [id, lane] of this.older) {
        if (lane.state !== 'idle' || now - lane.lastSent < this.keepMs) this.recent.set(id, lane);
      }
      this.older = this.recent;
      this.recent = new Map();
      this.rotatedAt = now;
    }
    let lane = this.recent.get(chat.id);
    if (lane) return lane;
    lane = this.older.get(chat.id);
    if (lane) this.older.delete(chat.id);
    else {
      const rate = chat.group ? this.limits.groupPerMinute / 60 : this.limits.privatePerSecond;
      lane = {
        chat: chat.id,
        waiting: [],
        bucket: new TokenBucket(this.limits.chatBurst, rate),
        state: 'idle',
        lastSent: 0,
      };
    }
    this.recent.set(chat.id, lane);
    return lane;
  }
}

const GAVE_UP: Record<Failure['kind'], string> = {
  'retry-after': 'telegram kept rate-limiting a call; gave up',
  transient: 'telegram call failed',
  unreachable: 'chat unreachable',
  permanent: 'telegram refused a call',
};

/** A queued job, every field set at once (one shape for every item). */
function itemOf(job: Job, batch: Batch): Item {
  return { job, batch, call: undefined, limited: 0, transient: 0 };
}

/** A direct call's job: its call is given, never built. */
const DIRECT: Job = { build: () => undefined };
