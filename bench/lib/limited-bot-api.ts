/**
 * A local Bot API on 127.0.0.1 that enforces Telegram's published limits, for the bot to run
 * against over real HTTP: at most 30 new messages in any second for the whole bot, and one a
 * second in a private chat. Beyond them it answers 429 with `retry_after`, as Telegram does, and
 * the message is not sent. Updates are served by long polling (getUpdates), 100 at most per
 * call, in the order they were written.
 *
 * It records every message it accepted, per chat, with the time, so a run can prove that nothing
 * was lost, duplicated or reordered, and say when each person got their first reply.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Limits {
  /** New messages per rolling second, whole bot. */
  perSecond: number;
  /** Shortest gap between two new messages in one private chat (ms). */
  chatGapMs: number;
}

export const TELEGRAM_PUBLISHED: Limits = { perSecond: 30, chatGapMs: 1000 };

/** Methods that put a new message in a chat: these count against the limits. */
const SENDS = new Set(['sendMessage', 'sendPhoto', 'sendDocument', 'copyMessage', 'forwardMessage']);
const POLL_CAP_MS = 1000;

export interface Accepted {
  text: string;
  /** ms since the epoch. */
  at: number;
}

export interface Counters {
  accepted: number;
  refused429: number;
  otherCalls: number;
}

type Update = { update_id: number } & Record<string, unknown>;

interface Poll {
  offset: number;
  limit: number;
  res: ServerResponse;
  timer: NodeJS.Timeout;
}

export class LimitedBotApi {
  readonly chats = new Map<number, Accepted[]>();
  readonly counters: Counters = { accepted: 0, refused429: 0, otherCalls: 0 };
  /** When each new message was accepted, and each 429 answered (ms since the epoch). */
  readonly acceptedTimes: number[] = [];
  readonly refusedTimes: number[] = [];
  /** Resolves on the first getUpdates: the bot is up and polling. */
  readonly polling: Promise<void>;
  private onPoll!: () => void;
  private readonly updates: Update[] = [];
  private readonly polls = new Set<Poll>();
  /** Times of the messages accepted in the last second (oldest first). */
  private readonly window: number[] = [];
  private readonly lastInChat = new Map<number, number>();
  private nextMessageId = 1;
  private server!: Server;

  private constructor(
    readonly token: string,
    private readonly limits: Limits,
  ) {
    this.polling = new Promise((resolve) => {
      this.onPoll = resolve;
    });
  }

  static async start(token: string, limits: Limits = TELEGRAM_PUBLISHED): Promise<LimitedBotApi> {
    const api = new LimitedBotApi(token, limits);
    api.server = createServer((req, res) => void api.serve(req, res));
    await new Promise<void>((resolve) => api.server.listen(0, '127.0.0.1', resolve));
    return api;
  }

  get apiRoot(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Makes updates available to getUpdates, as if people had just written them. */
  push(updates: Update[]): void {
    this.updates.push(...updates);
    for (const poll of [...this.polls]) this.answerPoll(poll);
  }

  /** Updates not yet confirmed by the bot (by asking for a later offset). */
  pending(): number {
    return this.updates.length;
  }

  async close(): Promise<void> {
    for (const poll of [...this.polls]) this.answerPoll(poll, true);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const prefix = `/bot${this.token}/`;
    if (!req.url?.startsWith(prefix))
      return reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const method = req.url.slice(prefix.length).split('?')[0]!;
    let params: Record<string, unknown> = {};
    const body = await readBody(req);
    if (body) {
      try {
        params = JSON.parse(body);
      } catch {
        return reply(res, 400, { ok: false, error_code: 400, description: 'Bad Request: not JSON' });
      }
    }
    if (method === 'getUpdates') return this.getUpdates(params, req, res);
    if (SENDS.has(method)) return this.send(params, res);
    this.counters.otherCalls++;
    if (method === 'getMe') {
      return ok(res, {
        id: Number(this.token.split(':')[0]),
        is_bot: true,
        first_name: 'Limit',
        username: 'limit_bench_bot',
      });
    }
    return ok(res, true);
  }

  private send(params: Record<string, unknown>, res: ServerResponse): void {
    const chatId = Number(params.chat_id);
    const now = Date.now();
    while (this.window.length > 0 && now - this.window[0]! >= 1000) this.window.shift();
    const last = this.lastInChat.get(chatId);
    const chatWait = last === undefined ? 0 : this.limits.chatGapMs - (now - last);
    const globalWait = this.window.length >= this.limits.perSecond ? 1000 - (now - this.window[0]!) : 0;
    const wait = Math.max(chatWait, globalWait);
    if (wait > 0) {
      this.counters.refused429++;
      this.refusedTimes.push(now);
      const retryAfter = Math.max(1, Math.ceil(wait / 1000));
      reply(res, 429, {
        ok: false,
        error_code: 429,
        description: `Too Many Requests: retry after ${retryAfter}`,
        parameters: { retry_after: retryAfter },
      });
      return;
    }
    this.window.push(now);
    this.lastInChat.set(chatId, now);
    this.counters.accepted++;
    this.acceptedTimes.push(now);
    const text = String(params.text ?? '');
    const list = this.chats.get(chatId) ?? [];
    list.push({ text, at: now });
    this.chats.set(chatId, list);
    ok(res, {
      message_id: this.nextMessageId++,
      date: Math.floor(now / 1000),
      chat: { id: chatId, type: 'private' },
      text,
    });
  }

  private getUpdates(params: Record<string, unknown>, req: IncomingMessage, res: ServerResponse): void {
    this.onPoll();
    const offset = Number(params.offset ?? 0);
    // Asking from `offset` confirms everything before it: Telegram forgets those updates.
    while (this.updates.length > 0 && this.updates[0]!.update_id < offset) this.updates.shift();
    const limit = Math.min(100, Math.max(1, Number(params.limit ?? 100)));
    const timeoutMs = Math.min(POLL_CAP_MS, Number(params.timeout ?? 0) * 1000);
    const poll: Poll = {
      offset,
      limit,
      res,
      timer: setTimeout(() => this.answerPoll(poll, true), timeoutMs),
    };
    this.polls.add(poll);
    req.on('close', () => {
      // The client gave up (bot.stop() aborts its poll): forget it.
      if (this.polls.delete(poll)) clearTimeout(poll.timer);
    });
    this.answerPoll(poll);
  }

  private answerPoll(poll: Poll, evenIfEmpty = false): void {
    const ready = this.updates.filter((u) => u.update_id >= poll.offset).slice(0, poll.limit);
    if (ready.length === 0 && !evenIfEmpty) return;
    this.polls.delete(poll);
    clearTimeout(poll.timer);
    if (!poll.res.writableEnded) ok(poll.res, ready);
  }
}

function ok(res: ServerResponse, result: unknown): void {
  reply(res, 200, { ok: true, result });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
