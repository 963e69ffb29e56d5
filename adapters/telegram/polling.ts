/**
 * Long polling that confirms an update to Telegram only once it is handled (its replies sent, or
 * given up), yet asks for more while earlier replies are still going out. Telegram forgets every
 * update below the offset a getUpdates asks from, so the offset stays at the oldest update still
 * in hand: if the process dies, Telegram delivers that one and those after it again, and the
 * engine answers again without applying a turn twice. Updates already in hand come back in each
 * answer and are skipped. (telegraf's own loop asks only once a whole batch is handled: at every
 * batch boundary the send queue ran dry for a round trip and a hundred turns.)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../src/index.ts';
import { classify, describeError } from './errors.ts';
import type { TgUpdate } from './update.ts';

/** Telegram's most per getUpdates. */
const BATCH = 100;
/** Ask for more once this few are in hand: they keep the queue busy while the next ones come. */
const REFILL_AT = BATCH / 2;
/** Seconds a getUpdates waits for news when nothing is in hand. */
const LONG_POLL_S = 50;
/** After a network error or 5xx without a retry_after. */
const RETRY_MS = 5000;

export interface PollerOptions {
  /** getUpdates through the bot's client; `signal` aborts it. */
  getUpdates(params: GetUpdates, signal: AbortSignal): Promise<TgUpdate[]>;
  /** Handles one update; settles once its replies are out (or given up). */
  handle(update: TgUpdate): Promise<void>;
  allowedUpdates: readonly string[];
  logger: Logger;
}

export interface GetUpdates {
  offset: number;
  limit: number;
  timeout: number;
  allowed_updates: readonly string[];
}

export class Poller {
  /** Ids handed out and not handled yet, oldest first. */
  private readonly inHand = new Set<number>();
  /** The newest update id handed out. */
  private newest = 0;
  private handled = 0;
  private wake: (() => void) | undefined;
  private readonly stopper = new AbortController();

  constructor(private readonly opts: PollerOptions) {}

  /** Polls until stop(); then lets the updates in hand finish and confirms them. */
  async run(): Promise<void> {
    const { signal } = this.stopper;
    let full = false;
    let handledAtAsk = 0;
    try {
      while (!signal.aborted) {
        // A full answer means more may be waiting: ask again at once; else once one more is
        // handled (an update may have come meanwhile), or with a long poll when none is in hand.
        await this.until(
          () =>
            this.inHand.size === 0 ||
            (this.inHand.size <= REFILL_AT && (full || this.handled > handledAtAsk)),
        );
        if (signal.aborted) break;
        handledAtAsk = this.handled;
        const updates = (await this.ask(this.inHand.size === 0 ? LONG_POLL_S : 0)) ?? [];
        full = updates.length >= BATCH;
        for (const update of updates) {
          if (update.update_id <= this.newest) continue;
          this.newest = update.update_id;
          this.start(update);
        }
      }
    } finally {
      await this.until(() => this.inHand.size === 0);
      // Confirms what was handled (telegraf does the same when it stops).
      if (this.newest > 0) {
        await this.opts
          .getUpdates({ ...this.params(0), limit: 1 }, new AbortController().signal)
          .catch(() => undefined);
      }
    }
  }

  stop(): void {
    this.stopper.abort();
    this.wake?.();
  }

  /** undefined after an error worth waiting out; throws on one that polling cannot get past. */
  private async ask(timeout: number): Promise<TgUpdate[] | undefined> {
    const { signal } = this.stopper;
    try {
      return await this.opts.getUpdates(this.params(timeout), signal);
    } catch (err) {
      if (signal.aborted) return undefined;
      const failure = classify(err);
      // 401 (token revoked) and 409 (another poller or a webhook) do not pass by waiting.
      if (failure.kind !== 'retry-after' && failure.kind !== 'transient') throw err;
      const ms = failure.kind === 'retry-after' ? failure.ms : RETRY_MS;
      this.opts.logger.warn({ ...describeError(err), retryInMs: ms }, 'telegram getUpdates failed');
      await sleep(ms, undefined, { signal }).catch(() => undefined);
      return undefined;
    }
  }

  private params(timeout: number): GetUpdates {
    const oldest = this.inHand.values().next();
    return {
      offset: oldest.done ? this.newest + 1 : oldest.value,
      limit: BATCH,
      timeout,
      allowed_updates: this.opts.allowedUpdates,
    };
  }

  private start(update: TgUpdate): void {
    this.inHand.add(update.update_id);
    const finish = () => {
      this.inHand.delete(update.update_id);
      this.handled++;
      this.wake?.();
    };
    this.opts.handle(update).then(finish, finish);
  }

  private async until(ready: () => boolean): Promise<void> {
    while (!ready() && !(this.stopper.signal.aborted && this.inHand.size === 0)) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
  }
}
