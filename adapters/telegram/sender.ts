/**
 * Every outgoing Bot API call goes through here, because telegraf retries nothing but polling.
 * One queue per chat keeps a chat's messages in order; a token bucket per chat and one for the
 * whole bot keep within Telegram's limits; a 429 waits exactly its retry_after and tries the same
 * call again (a 429 means nothing was sent, so the reply arrives once); 5xx and network errors
 * back off and retry a few times; a 403 (bot blocked) drops what was waiting for that chat.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../src/index.ts';
import { TokenBucket } from './bucket.ts';
import { classify, describeError, type Failure } from './errors.ts';

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
  build: () => Call | undefined;
  /** New messages count against the chat's budget; edits, deletions and answers do not. */
  counts?: boolean;
  onSent?: (result: unknown) => void;
  /** Jobs to run instead when this one fails for good (e.g. a method an older server lacks). */
  fallback?: (failure: Failure) => Job[] | undefined;
}

export type Delivery = 'sent' | 'skipped' | 'failed' | 'unreachable' | 'stopped';

export interface ChatRef {
  id: number;
  group: boolean;
}

interface Waiting {
  job: Job;
  resolve: (d: Delivery) => void;
}

interface ChatQueue {
  waiting: Waiting[];
  bucket: TokenBucket;
}

export interface SendQueueOptions {
  call(method: string, payload: Payload): Promise<unknown>;
  logger: Logger;
  limits?: Partial<SendLimits>;
  backoff?: Partial<Backoff>;
}

export class SendQueue {
  private readonly chats = new Map<number, ChatQueue>();
  private readonly global: TokenBucket;
  private readonly limits: SendLimits;
  private readonly backoff: Backoff;
  private readonly stopper = new AbortController();
  private direct = 0;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: SendQueueOptions) {
    this.limits = { ...TELEGRAM_LIMITS, ...opts.limits };
    this.backoff = { ...DEFAULT_BACKOFF, ...opts.backoff };
    this.global = new TokenBucket(this.limits.perSecond, this.limits.perSecond);
  }

  /** Queues jobs for one chat, in order; each promise settles when its job is done or given up. */
  enqueue(chat: ChatRef, jobs: readonly Job[]): Promise<Delivery>[] {
    if (this.stopper.signal.aborted) return jobs.map(() => Promise.resolve('stopped' as const));
    let q = this.chats.get(chat.id);
    const start = !q;
    if (!q) {
      const rate = chat.group ? this.limits.groupPerMinute / 60 : this.limits.privatePerSecond;
      q = { waiting: [], bucket: new TokenBucket(this.limits.chatBurst, rate) };
      this.chats.set(chat.id, q);
    }
    const queue = q;
    const promises = jobs.map(
      (job) => new Promise<Delivery>((resolve) => queue.waiting.push({ job, resolve })),
    );
    if (start) void this.work(chat.id, queue);
    return promises;
  }

  /** A call outside any chat's order (answering a button press): retried, globally limited. */
  async now(call: Call): Promise<Delivery> {
    this.direct++;
    try {
      return (await this.attempt({ build: () => call }, call)).delivery;
    } finally {
      this.direct--;
      this.notifyIdle();
    }
  }

  /** Calls waiting or in flight. */
  depth(): number {
    let n = this.direct;
    for (const q of this.chats.values()) n += q.waiting.length;
    return n;
  }

  /**
   * Lets queued calls go out for up to `ms`, then gives up on the rest (they resolve 'stopped').
   * Returns how many were given up.
   */
  async drain(ms: number): Promise<number> {
    if (this.depth() > 0) {
      const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      await Promise.race([idle, sleep(ms, undefined, { ref: false })]);
    }
    const abandoned = this.depth();
    this.stopper.abort();
    if (abandoned > 0) this.opts.logger.warn({ abandoned }, 'telegram calls given up at shutdown');
    return abandoned;
  }

  private async work(chatId: number, q: ChatQueue): Promise<void> {
    while (q.waiting.length > 0) {
      const head = q.waiting[0]!;
      const delivery = await this.run(head.job, q);
      q.waiting.shift();
      head.resolve(delivery);
      if (delivery === 'unreachable' || delivery === 'stopped') {
        for (const w of q.waiting.splice(0)) w.resolve(delivery);
      }
    }
    this.chats.delete(chatId);
    this.notifyIdle();
  }

  private async run(job: Job, q: ChatQueue): Promise<Delivery> {
    const call = job.build();
    if (call === undefined) return 'skipped';
    const { delivery, failure } = await this.attempt(job, call, job.counts ? q.bucket : undefined);
    const instead = failure ? job.fallback?.(failure) : undefined;
    if (!instead) return delivery;
    let last: Delivery = 'skipped';
    for (const other of instead) last = await this.run(other, q);
    return last;
  }

  private async attempt(
    job: Job,
    call: Call,
    chatBucket?: TokenBucket,
  ): Promise<{ delivery: Delivery; failure?: Failure }> {
    const { logger } = this.opts;
    let transient = 0;
    let limited = 0;
    for (;;) {
      if (chatBucket && !(await this.take(chatBucket))) return { delivery: 'stopped' };
      if (!(await this.take(this.global))) return { delivery: 'stopped' };
      try {
        const result = await this.opts.call(call.method, call.payload);
        job.onSent?.(result);
        return { delivery: 'sent' };
      } catch (err) {
        const failure = classify(err);
        switch (failure.kind) {
          case 'retry-after':
            if (++limited > MAX_RETRY_AFTERS) {
              logger.warn({ method: call.method, limited }, 'telegram kept rate-limiting a call; gave up');
              return { delivery: 'failed', failure };
            }
            logger.info({ method: call.method, retryAfterMs: failure.ms }, 'telegram asked to slow down');
            if (!(await this.pause(failure.ms))) return { delivery: 'stopped' };
            continue;
          case 'transient': {
            if (++transient >= this.backoff.attempts) {
              logger.warn(
                { method: call.method, attempts: transient, ...describeError(err) },
                'telegram call failed',
              );
              return { delivery: 'failed', failure };
            }
            const ms = Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** (transient - 1));
            logger.info(
              { method: call.method, retryInMs: ms, ...describeError(err) },
              'telegram call will be retried',
            );
            if (!(await this.pause(ms * (1 + Math.random() * 0.2)))) return { delivery: 'stopped' };
            continue;
          }
          case 'unreachable':
            logger.info(
              { method: call.method, ...describeError(err) },
              'chat unreachable; dropping its queue',
            );
            return { delivery: 'unreachable', failure };
          case 'permanent':
            // Editing a message to what it already says: the goal is met.
            if (failure.notModified) return { delivery: 'sent' };
            logger.warn({ method: call.method, ...describeError(err) }, 'telegram refused a call');
            return { delivery: 'failed', failure };
        }
      }
    }
  }

  private async take(bucket: TokenBucket): Promise<boolean> {
    for (;;) {
      const wait = bucket.take();
      if (wait === 0) return !this.stopper.signal.aborted;
      if (!(await this.pause(wait))) return false;
    }
  }

  /** false when stopped meanwhile. */
  private async pause(ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: this.stopper.signal });
      return true;
    } catch {
      return false;
    }
  }

  private notifyIdle(): void {
    if (this.depth() === 0) for (const w of this.idleWaiters.splice(0)) w();
  }
}
