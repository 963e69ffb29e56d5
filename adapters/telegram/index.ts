/**
 * The Telegram adapter: the real telegraf bot over the engine. Long polling by default; a webhook
 * on the shared HTTP server when asked, with its secret required. Platform updates become
 * Inbound turns (update.ts), replies become messages with inline buttons (jobs.ts), and every
 * outgoing call goes through one throttled, retrying queue (sender.ts). Nothing here decides what
 * to say.
 */
import { Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import type { Engine, HttpServer, Logger, Metrics, TurnResult } from '../../src/index.ts';
import { ChatMemory } from './chat-memory.ts';
import { describeError } from './errors.ts';
import { groupNoteJob, pressJob, turnJobs } from './jobs.ts';
import { Poller } from './polling.ts';
import { type Backoff, type Delivery, type Payload, type SendLimits, SendQueue } from './sender.ts';
import { type Me, type Plan, planUpdate, type TgUpdate } from './update.ts';
import { GROUP_MENU, MENU, type MenuCommand, type TelegramLocale } from './words.ts';

export interface TelegramOptions {
  engine: Engine;
  logger: Logger;
  token: string;
  /** A self-hosted Bot API server or a local fake; default the official one. */
  apiRoot?: string;
  /** Webhook mode (TELEGRAM_WEBHOOK_URL / _SECRET); the secret is required. */
  webhook?: { url: string; secret?: string };
  /** The shared HTTP server on PORT; required in webhook mode. */
  http?: HttpServer;
  /** Where the outgoing queue depth is reported; default the HTTP server's metrics. */
  metrics?: Metrics;
  /** Outgoing rate limits; the defaults follow Telegram's documented limits. */
  limits?: Partial<SendLimits>;
  backoff?: Partial<Backoff>;
  /**
   * How long an update waits for its replies to go out before it is confirmed to Telegram anyway.
   * Confirming after the replies means a crash in between makes Telegram deliver it again, and
   * the engine then answers again without moving the conversation twice.
   */
  deliveryWaitMs?: number;
  /** How long stop() lets queued replies go out. */
  drainMs?: number;
}

export interface RunningTelegram {
  stop(): Promise<void>;
  /** Outgoing calls waiting or in flight. */
  queueDepth(): number;
  /**
   * Handles one update the way polling and the webhook do (telegraf's bot.handleUpdate); settles
   * once its replies are out. For tests and benchmarks that bring their own updates.
   */
  handleUpdate(update: TgUpdate): Promise<void>;
}

export class TelegramConfigError extends Error {
  override name = 'TelegramConfigError';
}

const DEFAULT_API_ROOT = 'https://api.telegram.org';
const ALLOWED_UPDATES = ['message', 'callback_query'] as const;
/** Telegram's rule for secret_token. */
const SECRET = /^[A-Za-z0-9_-]{1,256}$/;

type Mode =
  | { kind: 'polling' }
  | { kind: 'webhook'; url: string; secret: string; path: string; hookPath: string; http: HttpServer };

export async function startTelegram(opts: TelegramOptions): Promise<RunningTelegram> {
  const { engine, logger } = opts;
  const mode = modeOf(opts);
  const deliveryWaitMs = opts.deliveryWaitMs ?? 10_000;
  const bot = new Telegraf(opts.token, {
    // webhookReply off: every call is a real request whose errors we see and retry.
    telegram: { apiRoot: rootOf(opts.apiRoot), webhookReply: false },
  });
  const callApi = bot.telegram.callApi.bind(bot.telegram) as unknown as (
    m: string,
    p: Payload,
    o?: { signal: AbortSignal },
  ) => Promise<unknown>;
  const sender = new SendQueue({
    call: callApi,
    logger,
    patienceMs: deliveryWaitMs,
    ...(opts.limits ? { limits: opts.limits } : {}),
    ...(opts.backoff ? { backoff: opts.backoff } : {}),
  });
  const memory = new ChatMemory();
  const serial = new PerChat();
  const queueDepth = () => sender.depth();
  (opts.metrics ?? opts.http?.metrics)?.registerQueueDepth(queueDepth, 'telegram');

  const me = await whoAmI(bot, logger);
  bot.botInfo = me as typeof bot.botInfo;
  await registerCommands(sender);

  // ---------- one update ----------

  /** Settles once the update's calls are out (or deliveryWaitMs has passed). */
  function handle(update: TgUpdate): Promise<unknown> {
    const plan = planUpdate(update, me);
    switch (plan.kind) {
      case 'ignore':
        return DONE;
      case 'answer-only':
        return sender.now(answer(plan.queryId));
      case 'group':
        return sender.enqueue({ id: plan.chatId, group: true }, [
          groupNoteJob(plan.chatId, plan.replyTo, me.username, plan.languageCode, plan.startPayload),
        ]);
      case 'turn':
        return privateTurn(plan);
    }
  }

  async function privateTurn(plan: TurnPlan): Promise<void> {
    // Every button press is answered at once, whatever follows: the person's spinner stops.
    const answered = plan.press ? sender.now(answer(plan.press.queryId)) : undefined;
    if (plan.incomingId !== undefined) memory.remember(plan.chatId, plan.incomingId);
    // One turn at a time per chat, so replies are queued in the order the person wrote.
    const { sent } = await serial.run(plan.chatId, () => turn(plan));
    if (answered) await answered;
    await sent;
  }

  /** `sent` settles when the turn's calls are done: they are queued after all earlier ones. */
  async function turn(plan: TurnPlan): Promise<{ sent: Promise<Delivery> }> {
    const chat = { id: plan.chatId, group: false };
    // The pressed prompt loses its buttons while the engine works.
    const pressed = plan.press
      ? sender.enqueue(chat, [pressJob(plan.chatId, plan.press, memory)])
      : undefined;
    let result: TurnResult;
    try {
      result = await engine.handle(plan.inbound);
    } catch (err) {
      logger.error({ err: describeError(err), kind: plan.inbound.kind }, 'telegram turn failed');
      return { sent: pressed ?? DONE_DELIVERY };
    }
    const jobs = turnJobs(plan.chatId, result, memory);
    return { sent: jobs.length > 0 ? sender.enqueue(chat, jobs) : (pressed ?? DONE_DELIVERY) };
  }

  bot.use((ctx) => handle(ctx.update as unknown as TgUpdate));
  bot.catch((err) => {
    logger.error({ err: describeError(err) }, 'telegram update failed');
  });

  // ---------- receiving ----------

  let stopping = false;
  let poller: Poller | undefined;
  let polling: Promise<void> | undefined;
  let inflight = 0;
  if (mode.kind === 'polling') {
    const p = new Poller({
      getUpdates: (params, signal) => callApi('getUpdates', { ...params }, { signal }) as Promise<TgUpdate[]>,
      handle: (update) => bot.handleUpdate(update as unknown as Update),
      allowedUpdates: ALLOWED_UPDATES,
      logger,
    });
    poller = p;
    // Runs until stop(); kept for stop() to wait on.
    polling = bot.telegram
      .deleteWebhook()
      .then(() => p.run())
      .catch((err: unknown) => {
        logger.error(
          { err: describeError(err) },
          'telegram polling stopped (409 means another process polls this bot or a webhook is set)',
        );
      });
    logger.info({ bot: me.username, mode: 'polling' }, 'telegram adapter started');
  } else {
    const callback = bot.webhookCallback(mode.hookPath, { secretToken: mode.secret });
    mode.http.route(
      'POST',
      mode.path,
      async (req, res) => {
        // Stopping: 503 makes Telegram deliver the update again later, to whichever process runs.
        if (stopping) {
          res.writeHead(503).end();
          return;
        }
        inflight++;
        try {
          await callback(req, res);
        } finally {
          inflight--;
        }
      },
      'telegram-webhook',
    );
    await bot.telegram.setWebhook(mode.url, {
      secret_token: mode.secret,
      allowed_updates: [...ALLOWED_UPDATES],
    });
    logger.info({ bot: me.username, mode: 'webhook' }, 'telegram adapter started');
  }

  let stopped: Promise<void> | undefined;
  return {
    queueDepth,
    handleUpdate: (update) => bot.handleUpdate(update as unknown as Update),
    stop() {
      stopped ??= (async () => {
        stopping = true;
        const drainMs = opts.drainMs ?? 5_000;
        if (poller) {
          // Aborts the long poll; the updates in hand finish and are confirmed.
          poller.stop();
          await polling;
        } else {
          await until(() => inflight === 0, drainMs);
        }
        // Turns in flight finish (bounded: a stuck store must not hold the shutdown).
        await Promise.race([serial.idle(), new Promise((r) => setTimeout(r, drainMs).unref())]);
        await sender.drain(drainMs);
        logger.info('telegram adapter stopped');
      })();
      return stopped;
    },
  };
}

function answer(queryId: string) {
  return { method: 'answerCallbackQuery', payload: { callback_query_id: queryId } };
}

function modeOf(opts: TelegramOptions): Mode {
  if (!opts.token) throw new TelegramConfigError('TELEGRAM_BOT_TOKEN is empty');
  const hook = opts.webhook;
  if (!hook) return { kind: 'polling' };
  if (!hook.secret) {
    throw new TelegramConfigError(
      'TELEGRAM_WEBHOOK_SECRET is required in webhook mode: without it anyone could post fake updates',
    );
  }
  if (!SECRET.test(hook.secret)) {
    throw new TelegramConfigError(
      'TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -',
    );
  }
  let url: URL;
  try {
    url = new URL(hook.url);
  } catch {
    throw new TelegramConfigError('TELEGRAM_WEBHOOK_URL is not a URL');
  }
  if (!opts.http) {
    throw new TelegramConfigError(
      'webhook mode needs the HTTP server on PORT (pass `http` to startTelegram)',
    );
  }
  return {
    kind: 'webhook',
    url: url.href,
    secret: hook.secret,
    path: url.pathname,
    hookPath: `${url.pathname}${url.search}`,
    http: opts.http,
  };
}

/** telegraf resolves `./bot<token>/<method>` against the root: a root with a path needs its slash. */
function rootOf(apiRoot: string | undefined): string {
  const root = apiRoot || DEFAULT_API_ROOT;
  return root.endsWith('/') ? root : `${root}/`;
}

/** getMe, retried briefly on 5xx and network errors; a refused token stops the start. */
async function whoAmI(bot: Telegraf, logger: Logger): Promise<Me> {
  for (let attempt = 1; ; attempt++) {
    try {
      const me = await bot.telegram.getMe();
      // Every real bot has a username; without one, groups get the note without a link.
      if (!me.username) logger.warn('the Bot API returned a bot without a username: no deep links');
      return { ...me, id: me.id, username: me.username ?? '' };
    } catch (err) {
      const why = describeError(err);
      if (why.code === 401 || why.code === 404) {
        throw new TelegramConfigError(
          `Telegram refused TELEGRAM_BOT_TOKEN (${why.code} ${why.description ?? ''})`,
        );
      }
      if (err instanceof TelegramConfigError || attempt >= 3) {
        throw new TelegramConfigError(
          `cannot reach the Telegram Bot API: ${[why.code, why.description ?? why.error].filter(Boolean).join(' ')}`,
        );
      }
      logger.warn({ err: why, attempt }, 'telegram getMe failed; retrying');
      await new Promise((r) => setTimeout(r, 1000 * attempt));
    }
  }
}

/** The command menu in English (any language) and Chinese, for private chats and for groups. */
async function registerCommands(sender: SendQueue): Promise<void> {
  const menus: [string, readonly MenuCommand[]][] = [
    ['all_private_chats', MENU],
    ['all_group_chats', GROUP_MENU],
  ];
  const langs: [TelegramLocale, string | undefined][] = [
    ['en', undefined],
    ['zh-CN', 'zh'],
  ];
  await Promise.all(
    menus.flatMap(([scope, menu]) =>
      langs.map(([locale, code]) =>
        sender.now({
          method: 'setMyCommands',
          payload: {
            commands: menu.map((c) => ({ command: c.command, description: c.description[locale] })),
            scope: { type: scope },
            ...(code ? { language_code: code } : {}),
          },
        }),
      ),
    ),
  );
}

type TurnPlan = Extract<Plan, { kind: 'turn' }>;

const DONE = Promise.resolve();
const DONE_DELIVERY: Promise<Delivery> = Promise.resolve('skipped');

async function until(done: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

/** Runs tasks one after another per key; different keys run side by side. */
class PerChat {
  /** Per key, the last task's end (never rejects). */
  private readonly tails = new Map<number, Promise<unknown>>();

  run<T>(key: number, task: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key);
    const mine = prev ? prev.then(task) : task();
    const tail: Promise<unknown> = mine.then(
      () => this.forget(key, tail),
      () => this.forget(key, tail),
    );
    this.tails.set(key, tail);
    return mine;
  }

  private forget(key: number, tail: Promise<unknown>): void {
    if (this.tails.get(key) === tail) this.tails.delete(key);
  }

  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }
}
