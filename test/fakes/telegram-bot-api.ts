/**
 * A local fake of the Telegram Bot API, for running the real telegraf client against it: HTTP on
 * 127.0.0.1 (port 0), `${apiRoot}/bot<token>/<method>`, JSON / form / query parameters, unknown
 * fields accepted. It keeps what a person would see in each chat (messages, buttons, edits,
 * deletions), holds long polls for at most `pollCapMs` and lets them go when the client aborts,
 * delivers updates to a webhook when one is set, can fail the next N calls of a method (429 with
 * retry_after, 5xx, a dropped connection), can enforce Telegram's rate limits (429 beyond them,
 * nothing sent), and records every call.
 *
 * Tests act as people: `api.user(...).send('hi')`, `.press('Abroad')`, `group.send(user, '@bot?')`.
 * Each action resolves when Telegram would consider the update handled: confirmed by the next
 * getUpdates offset (polling) or answered 2xx (webhook).
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// biome-ignore lint/suspicious/noExplicitAny: Bot API parameters are loosely typed JSON.
export type Params = Record<string, any>;

export interface ApiCall {
  method: string;
  params: Params;
  /** HTTP status answered; 0 when the connection was dropped on purpose. */
  status: number;
  seq: number;
  /** Date.now() when the call arrived. */
  at: number;
}

/** 429 with retry_after, any other error status (5xx, 403 blocked...), or a dropped connection. */
export type Failure =
  | { status: 429; retryAfter: number }
  | { status: number; description?: string }
  | { network: true };

export interface Button {
  text: string;
  callback_data?: string;
  url?: string;
}

export interface ChatMessage {
  message_id: number;
  chatId: number;
  from: 'bot' | 'user';
  text: string;
  /** Live buttons (none once removed by an edit). */
  buttons: Button[][];
  /** The buttons as first sent, for pressing an old button again. */
  sentButtons: Button[][];
  deleted: boolean;
  edits: number;
  /** Order among everything that happened in the fake. */
  seq: number;
  replyTo?: number;
  params?: Params;
}

export interface FakeUserInit {
  id: number;
  first_name?: string;
  language_code?: string;
  username?: string;
}

export interface Exchange {
  updateId: number;
  /** Messages the bot sent into this chat after the update was pushed, up to when it was handled. */
  replies: ChatMessage[];
}

export interface FakeBotApiOptions {
  token?: string;
  username?: string;
  botId?: number;
  /** Longest a getUpdates is held, whatever timeout the client asks (telegraf asks 50 s). */
  pollCapMs?: number;
  /** How long a test waits for something before failing with what it was waiting for. */
  waitMs?: number;
  /** Refuse new messages beyond these, as Telegram does: 429 with retry_after, nothing sent. */
  limits?: SendRateLimits;
}

export interface SendRateLimits {
  /** New messages in any rolling second, whole bot (Telegram: 30). */
  perSecond: number;
  /** Shortest gap between two new messages in one chat, ms (Telegram: about 1000 in private). */
  chatGapMs: number;
}

interface Pending {
  update: Params;
  acked: boolean;
  delivering?: boolean;
}

const NOT_MODIFIED =
  'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';

export class FakeBotApi {
  readonly token: string;
  readonly me: { id: number; is_bot: true; first_name: string; username: string };
  readonly calls: ApiCall[] = [];
  /** setMyCommands by `${scope}|${language_code}`. */
  readonly commands = new Map<string, { command: string; description: string }[]>();
  /** Webhook deliveries: update id and HTTP status (0 = network error). */
  readonly deliveries: { updateId: number; status: number }[] = [];
  webhook: { url: string; secret?: string; allowed_updates?: string[] } | undefined;

  private server!: Server;
  private port = 0;
  private seq = 0;
  private nextUpdateId = 1000;
  private readonly pollCapMs: number;
  private readonly waitMs: number;
  private readonly events = new EventEmitter();
  private readonly queue: Pending[] = [];
  private readonly acked = new Set<number>();
  private readonly failures = new Map<string, Failure[]>();
  private readonly chats = new Map<number, { id: number; type: string; title?: string; nextId: number }>();
  private readonly messages: ChatMessage[] = [];
  private readonly queries = new Map<string, { answered: number; chatId: number }>();
  private nextQuery = 1;
  private readonly openPolls = new Set<ServerResponse>();
  private readonly limits: SendRateLimits | undefined;
  /** When each new message of the last second was accepted (oldest first), and per chat the last. */
  private readonly lastSecond: number[] = [];
  private readonly lastInChat = new Map<number, number>();

  private constructor(opts: FakeBotApiOptions) {
    this.token = opts.token ?? '123456:TEST-fake-token';
    this.me = {
      id: opts.botId ?? 123456,
      is_bot: true,
      first_name: 'SafeStep',
      username: opts.username ?? 'SafeStepTestBot',
    };
    this.pollCapMs = opts.pollCapMs ?? 1000;
    this.waitMs = opts.waitMs ?? 5000;
    this.limits = opts.limits;
    this.events.setMaxListeners(0);
  }

  static async start(opts: FakeBotApiOptions = {}): Promise<FakeBotApi> {
    const api = new FakeBotApi(opts);
    api.server = createServer((req, res) => void api.serve(req, res));
    await new Promise<void>((resolve) => api.server.listen(0, '127.0.0.1', resolve));
    api.port = (api.server.address() as AddressInfo).port;
    return api;
  }

  get apiRoot(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const res of this.openPolls) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---------- test controls ----------

  /** The next `count` calls of `method` fail this way, then it works again. */
  failNext(method: string, count: number, failure: Failure): void {
    const list = this.failures.get(method) ?? [];
    for (let i = 0; i < count; i++) list.push(failure);
    this.failures.set(method, list);
  }

  user(init: FakeUserInit): FakeUser {
    this.chatOf(init.id, 'private');
    return new FakeUser(this, { first_name: `User${init.id}`, ...init });
  }

  group(id: number, title = 'Community'): FakeGroup {
    this.chatOf(id, 'supergroup', title);
    return new FakeGroup(this, id, title);
  }

  callsOf(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Messages in a chat, oldest first; deleted ones only when asked. */
  chat(chatId: number, opts: { deleted?: boolean } = {}): ChatMessage[] {
    return this.messages.filter((m) => m.chatId === chatId && (opts.deleted || !m.deleted));
  }

  answeredCount(queryId: string): number {
    return this.queries.get(queryId)?.answered ?? 0;
  }

  /** Puts an update in the queue (or delivers it to the webhook); returns its update_id. */
  pushUpdate(body: Params): number {
    const update_id = this.nextUpdateId++;
    const pending: Pending = { update: { update_id, ...body }, acked: false };
    this.queue.push(pending);
    this.changed();
    if (this.webhook) void this.deliver(pending);
    return update_id;
  }

  /** Resolves once Telegram would count the update as handled by the bot. */
  handled(updateId: number): Promise<void> {
    return this.waitFor(() => this.acked.has(updateId) || undefined, `update ${updateId} to be handled`).then(
      () => undefined,
    );
  }

  /** Resolves with probe's first truthy value; rejects after waitMs naming what it waited for. */
  waitFor<T>(probe: () => T | undefined | null | false, what: string, ms = this.waitMs): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const v = probe();
        if (v !== undefined && v !== null && v !== false) {
          cleanup();
          resolve(v);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`fake Bot API: timed out after ${ms} ms waiting for ${what}`));
      }, ms);
      const cleanup = () => {
        clearTimeout(timer);
        this.events.off('change', check);
      };
      this.events.on('change', check);
      check();
    });
  }

  /** The sequence number the next event will get; for "what happened after this point". */
  mark(): number {
    return this.seq + 1;
  }

  botMessagesSince(chatId: number, seq: number): ChatMessage[] {
    return this.messages.filter((m) => m.chatId === chatId && m.from === 'bot' && m.seq >= seq);
  }

  // ---------- people's side (used by FakeUser / FakeGroup) ----------

  userMessage(chatId: number, from: Params, text: string, extra: Params = {}): Params {
    const chat = this.chatOf(chatId);
    const m = this.addMessage(chatId, 'user', text, undefined);
    return {
      message_id: m.message_id,
      date: now(),
      chat: { id: chat.id, type: chat.type, ...(chat.title ? { title: chat.title } : {}) },
      from: { is_bot: false, ...from },
      text,
      ...entitiesOf(text),
      ...extra,
    };
  }

  callbackQuery(
    chatId: number,
    from: Params,
    message: ChatMessage,
    data: string,
  ): { id: string; body: Params } {
    const id = `q${this.nextQuery++}`;
    this.queries.set(id, { answered: 0, chatId });
    const chat = this.chatOf(chatId);
    return {
      id,
      body: {
        callback_query: {
          id,
          from: { is_bot: false, ...from },
          chat_instance: `ci${chatId}`,
          data,
          message: {
            message_id: message.message_id,
            date: now(),
            chat: { id: chat.id, type: chat.type },
            from: this.me,
            text: message.text,
            ...(message.buttons.length > 0 ? { reply_markup: { inline_keyboard: message.buttons } } : {}),
          },
        },
      },
    };
  }

  // ---------- HTTP ----------

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!m) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const params = { ...normalize(Object.fromEntries(url.searchParams)), ...(await readBody(req)) };
    const method = m[2]!;
    const call: ApiCall = { method, params, status: 200, seq: ++this.seq, at: Date.now() };
    this.calls.push(call);
    if (m[1] !== this.token) return this.answer(res, call, 401, { description: 'Unauthorized' });
    const failure = this.failures.get(method)?.shift() ?? this.overLimit(method, params, call.at);
    if (failure) return this.fail(res, call, failure);
    const handler = this.methods[method];
    if (!handler) return this.answer(res, call, 404, { description: 'Not Found' });
    try {
      const result = await handler(params, res, call);
      if (result === HELD) return;
      this.answer(res, call, 200, { result });
    } catch (err) {
      if (err instanceof ApiError) this.answer(res, call, err.code, { description: err.message });
      else throw err;
    }
  }

  /** A 429 when a new message now would break the limits; else counts it as sent. */
  private overLimit(method: string, params: Params, at: number): Failure | undefined {
    if (!this.limits || method !== 'sendMessage') return undefined;
    const chatId = Number(params.chat_id);
    while (this.lastSecond.length > 0 && at - this.lastSecond[0]! >= 1000) this.lastSecond.shift();
    const last = this.lastInChat.get(chatId);
    const chatWait = last === undefined ? 0 : this.limits.chatGapMs - (at - last);
    const botWait = this.lastSecond.length >= this.limits.perSecond ? 1000 - (at - this.lastSecond[0]!) : 0;
    const wait = Math.max(chatWait, botWait);
    if (wait > 0) return { status: 429, retryAfter: Math.max(1, Math.ceil(wait / 1000)) };
    this.lastSecond.push(at);
    this.lastInChat.set(chatId, at);
    return undefined;
  }

  private answer(
    res: ServerResponse,
    call: ApiCall,
    status: number,
    body: { result?: unknown; description?: string },
  ) {
    call.status = status;
    send(
      res,
      status,
      status === 200
        ? { ok: true, result: body.result }
        : { ok: false, error_code: status, description: body.description },
    );
    this.changed();
  }

  private fail(res: ServerResponse, call: ApiCall, failure: Failure): void {
    if ('network' in failure) {
      call.status = 0;
      res.socket?.destroy();
    } else if ('retryAfter' in failure) {
      call.status = 429;
      send(res, 429, {
        ok: false,
        error_code: 429,
        description: `Too Many Requests: retry after ${failure.retryAfter}`,
        parameters: { retry_after: failure.retryAfter },
      });
    } else {
      call.status = failure.status;
      const description =
        failure.description ?? (failure.status >= 500 ? 'Internal Server Error' : 'Bad Request');
      send(res, failure.status, { ok: false, error_code: failure.status, description });
    }
    this.changed();
  }

  // ---------- methods ----------

  private readonly methods: Record<string, (p: Params, res: ServerResponse, call: ApiCall) => unknown> = {
    getMe: () => this.me,
    logOut: () => true,
    close: () => true,
    getUpdates: (p, res, call) => this.getUpdates(p, res, call),
    setWebhook: (p) => {
      if (typeof p.url !== 'string')
        throw new ApiError(400, 'Bad Request: bad webhook: URL must be provided');
      if (p.url === '') {
        this.webhook = undefined;
        return true;
      }
      if (p.secret_token !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(String(p.secret_token)))
        throw new ApiError(400, 'Bad Request: secret token contains unallowed characters');
      this.webhook = {
        url: p.url,
        ...(p.secret_token ? { secret: String(p.secret_token) } : {}),
        ...(p.allowed_updates ? { allowed_updates: p.allowed_updates } : {}),
      };
      for (const pending of this.queue) if (!pending.acked) void this.deliver(pending);
      return true;
    },
    deleteWebhook: (p) => {
      this.webhook = undefined;
      if (truthy(p.drop_pending_updates)) this.queue.splice(0);
      return true;
    },
    getWebhookInfo: () => ({
      url: this.webhook?.url ?? '',
      has_custom_certificate: false,
      pending_update_count: this.queue.length,
    }),
    setMyCommands: (p) => {
      const commands = p.commands as { command?: unknown; description?: unknown }[];
      if (!Array.isArray(commands) || commands.length > 100)
        throw new ApiError(400, 'Bad Request: commands must be an array');
      for (const c of commands) {
        if (typeof c.command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(c.command))
          throw new ApiError(400, 'Bad Request: BOT_COMMAND_INVALID');
        if (typeof c.description !== 'string' || c.description.length < 1 || c.description.length > 256)
          throw new ApiError(400, 'Bad Request: BOT_COMMAND_DESCRIPTION_INVALID');
      }
      this.commands.set(`${p.scope?.type ?? 'default'}|${p.language_code ?? ''}`, commands as never);
      return true;
    },
    getMyCommands: (p) => this.commands.get(`${p.scope?.type ?? 'default'}|${p.language_code ?? ''}`) ?? [],
    deleteMyCommands: (p) => this.commands.delete(`${p.scope?.type ?? 'default'}|${p.language_code ?? ''}`),
    sendChatAction: (p) => {
      this.knownChat(p.chat_id);
      return true;
    },
    getChat: (p) => this.knownChat(p.chat_id),
    sendMessage: (p) => {
      const chat = this.knownChat(p.chat_id);
      const text = checkText(p.text);
      const buttons = checkMarkup(p.reply_markup);
      const replyTo = p.reply_parameters?.message_id ?? p.reply_to_message_id;
      const msg = this.addMessage(chat.id, 'bot', text, buttons, p);
      if (typeof replyTo === 'number') msg.replyTo = replyTo;
      return this.wireMessage(msg);
    },
    editMessageText: (p) => {
      const msg = this.botMessage(p, 'edit');
      const text = checkText(p.text);
      const buttons = checkMarkup(p.reply_markup);
      if (text === msg.text && sameButtons(buttons, msg.buttons)) throw new ApiError(400, NOT_MODIFIED);
      msg.text = text;
      msg.buttons = buttons;
      msg.edits++;
      return this.wireMessage(msg);
    },
    editMessageReplyMarkup: (p) => {
      const msg = this.botMessage(p, 'edit');
      const buttons = checkMarkup(p.reply_markup);
      if (sameButtons(buttons, msg.buttons)) throw new ApiError(400, NOT_MODIFIED);
      msg.buttons = buttons;
      msg.edits++;
      return this.wireMessage(msg);
    },
    deleteMessage: (p) => {
      const msg = this.findMessage(p.chat_id, p.message_id);
      if (!msg) throw new ApiError(400, 'Bad Request: message to delete not found');
      msg.deleted = true;
      return true;
    },
    deleteMessages: (p) => {
      const ids = p.message_ids;
      if (!Array.isArray(ids) || ids.length < 1 || ids.length > 100)
        throw new ApiError(400, 'Bad Request: message_ids must hold 1-100 ids');
      this.knownChat(p.chat_id);
      for (const id of ids) {
        const msg = this.findMessage(p.chat_id, id);
        if (msg) msg.deleted = true;
      }
      return true;
    },
    answerCallbackQuery: (p) => {
      const q = this.queries.get(String(p.callback_query_id));
      if (!q || q.answered > 0)
        throw new ApiError(
          400,
          'Bad Request: query is too old and response timeout expired or query ID is invalid',
        );
      q.answered++;
      return true;
    },
  };

  private getUpdates(p: Params, res: ServerResponse, call: ApiCall): unknown {
    if (this.webhook)
      throw new ApiError(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    const offset = Number(p.offset ?? 0);
    if (offset > 0) this.confirm(offset);
    const limit = Math.min(100, Math.max(1, Number(p.limit ?? 100)));
    const ready = () => this.queue.filter((u) => !u.acked && u.update.update_id >= offset).slice(0, limit);
    const now = ready();
    const waitMs = Math.min(this.pollCapMs, Number(p.timeout ?? 0) * 1000);
    if (now.length > 0 || waitMs <= 0) return now.map((u) => u.update);
    // Long poll: answer as soon as an update arrives, or empty at the cap; forget it if the client hangs up.
    this.openPolls.add(res);
    const finish = () => {
      clearTimeout(timer);
      this.events.off('change', onChange);
      this.openPolls.delete(res);
      if (!res.writableEnded && !res.destroyed)
        this.answer(res, call, 200, { result: ready().map((u) => u.update) });
    };
    const onChange = () => {
      if (ready().length > 0) finish();
    };
    const timer = setTimeout(finish, waitMs);
    this.events.on('change', onChange);
    res.on('close', () => {
      clearTimeout(timer);
      this.events.off('change', onChange);
      this.openPolls.delete(res);
    });
    return HELD;
  }

  private confirm(offset: number): void {
    let any = false;
    for (const u of this.queue) {
      if (!u.acked && u.update.update_id < offset) {
        u.acked = true;
        this.acked.add(u.update.update_id);
        any = true;
      }
    }
    if (any) {
      const keep = this.queue.filter((u) => !u.acked);
      this.queue.splice(0, this.queue.length, ...keep);
      this.changed();
    }
  }

  private async deliver(pending: Pending): Promise<void> {
    if (pending.delivering) return;
    pending.delivering = true;
    for (let attempt = 1; attempt <= 50 && this.webhook && !pending.acked; attempt++) {
      const hook = this.webhook;
      let status = 0;
      try {
        const r = await fetch(hook.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(hook.secret ? { 'x-telegram-bot-api-secret-token': hook.secret } : {}),
          },
          body: JSON.stringify(pending.update),
        });
        status = r.status;
        await r.arrayBuffer();
      } catch {
        status = 0;
      }
      this.deliveries.push({ updateId: pending.update.update_id, status });
      if (status >= 200 && status < 300) {
        pending.acked = true;
        this.acked.add(pending.update.update_id);
        const i = this.queue.indexOf(pending);
        if (i >= 0) this.queue.splice(i, 1);
      }
      this.changed();
      if (!pending.acked) await new Promise((r) => setTimeout(r, 100 * attempt));
    }
    pending.delivering = false;
  }

  // ---------- chats and messages ----------

  private chatOf(id: number, type = 'private', title?: string) {
    let chat = this.chats.get(id);
    if (!chat) {
      chat = { id, type, nextId: 1, ...(title ? { title } : {}) };
      this.chats.set(id, chat);
    }
    return chat;
  }

  private knownChat(chatId: unknown) {
    const chat = this.chats.get(Number(chatId));
    if (!chat) throw new ApiError(400, 'Bad Request: chat not found');
    return { id: chat.id, type: chat.type, ...(chat.title ? { title: chat.title } : {}) };
  }

  private addMessage(
    chatId: number,
    from: 'bot' | 'user',
    text: string,
    buttons: Button[][] | undefined,
    params?: Params,
  ): ChatMessage {
    const chat = this.chatOf(chatId);
    const msg: ChatMessage = {
      message_id: chat.nextId++,
      chatId,
      from,
      text,
      buttons: buttons ?? [],
      sentButtons: buttons ?? [],
      deleted: false,
      edits: 0,
      seq: ++this.seq,
      ...(params ? { params } : {}),
    };
    this.messages.push(msg);
    this.changed();
    return msg;
  }

  private findMessage(chatId: unknown, messageId: unknown): ChatMessage | undefined {
    return this.messages.find(
      (m) => m.chatId === Number(chatId) && m.message_id === Number(messageId) && !m.deleted,
    );
  }

  private botMessage(p: Params, what: string): ChatMessage {
    const msg = this.findMessage(p.chat_id, p.message_id);
    if (!msg) throw new ApiError(400, `Bad Request: message to ${what} not found`);
    if (msg.from !== 'bot') throw new ApiError(400, `Bad Request: message can't be ${what}ed`);
    return msg;
  }

  private wireMessage(msg: ChatMessage): Params {
    return {
      message_id: msg.message_id,
      date: now(),
      chat: this.knownChat(msg.chatId),
      from: this.me,
      text: msg.text,
      ...(msg.buttons.length > 0 ? { reply_markup: { inline_keyboard: msg.buttons } } : {}),
    };
  }

  private changed(): void {
    this.events.emit('change');
  }
}

/** A person in a private chat with the bot. */
export class FakeUser {
  constructor(
    readonly api: FakeBotApi,
    readonly init: Required<Pick<FakeUserInit, 'id' | 'first_name'>> & FakeUserInit,
  ) {}

  get chatId(): number {
    return this.init.id;
  }

  private get from(): Params {
    return {
      id: this.init.id,
      first_name: this.init.first_name,
      ...(this.init.language_code ? { language_code: this.init.language_code } : {}),
      ...(this.init.username ? { username: this.init.username } : {}),
    };
  }

  /** Pushes without waiting: for interleaving several people. */
  push(text: string, opts: { forwarded?: boolean } = {}): number {
    const extra = opts.forwarded
      ? {
          forward_origin: { type: 'hidden_user', sender_user_name: 'Someone', date: now() - 60 },
          forward_date: now() - 60,
        }
      : {};
    return this.api.pushUpdate({ message: this.api.userMessage(this.chatId, this.from, text, extra) });
  }

  async send(text: string, opts: { forwarded?: boolean } = {}): Promise<Exchange> {
    const since = this.api.mark();
    const updateId = this.push(text, opts);
    return this.settle(updateId, since);
  }

  /** What tapping t.me/<bot>?start=<payload> sends. */
  start(payload?: string): Promise<Exchange> {
    return this.send(payload ? `/start ${payload}` : '/start');
  }

  /** Taps the button with this label on the latest message showing it (or on `message`, as first sent). */
  async press(label: string, opts: { message?: ChatMessage } = {}): Promise<Exchange & { queryId: string }> {
    const message = opts.message ?? this.latestWithButton(label);
    if (!message) throw new Error(`no message in chat ${this.chatId} shows a button "${label}"`);
    const rows = opts.message ? message.sentButtons : message.buttons;
    const button = rows.flat().find((b) => b.text === label);
    if (!button?.callback_data) throw new Error(`button "${label}" has no callback_data`);
    return this.pressData(message, button.callback_data);
  }

  async pressData(message: ChatMessage, data: string): Promise<Exchange & { queryId: string }> {
    const since = this.api.mark();
    const { id, body } = this.api.callbackQuery(this.chatId, this.from, message, data);
    const updateId = this.api.pushUpdate(body);
    return { ...(await this.settle(updateId, since)), queryId: id };
  }

  async settle(updateId: number, since: number): Promise<Exchange> {
    await this.api.handled(updateId);
    return { updateId, replies: this.api.botMessagesSince(this.chatId, since) };
  }

  /** What the chat shows now. */
  screen(): ChatMessage[] {
    return this.api.chat(this.chatId);
  }

  /** Labels of every button still live in the chat. */
  liveButtons(): string[] {
    return this.screen().flatMap((m) => m.buttons.flat().map((b) => b.text));
  }

  lastBotMessage(): ChatMessage | undefined {
    return this.screen()
      .filter((m) => m.from === 'bot')
      .at(-1);
  }

  private latestWithButton(label: string): ChatMessage | undefined {
    return this.screen()
      .filter((m) => m.from === 'bot' && m.buttons.flat().some((b) => b.text === label))
      .at(-1);
  }
}

/** A group the bot is in. */
export class FakeGroup {
  constructor(
    readonly api: FakeBotApi,
    readonly chatId: number,
    readonly title: string,
  ) {}

  async send(user: FakeUser, text: string, opts: { replyTo?: ChatMessage } = {}): Promise<Exchange> {
    const since = this.api.mark();
    const from = {
      id: user.init.id,
      first_name: user.init.first_name,
      ...(user.init.language_code ? { language_code: user.init.language_code } : {}),
    };
    const extra = opts.replyTo
      ? {
          reply_to_message: {
            message_id: opts.replyTo.message_id,
            date: now(),
            chat: { id: this.chatId, type: 'supergroup', title: this.title },
            from: opts.replyTo.from === 'bot' ? this.api.me : from,
            text: opts.replyTo.text,
          },
        }
      : {};
    const updateId = this.api.pushUpdate({ message: this.api.userMessage(this.chatId, from, text, extra) });
    await this.api.handled(updateId);
    return { updateId, replies: this.api.botMessagesSince(this.chatId, since) };
  }

  screen(): ChatMessage[] {
    return this.api.chat(this.chatId);
  }
}

/** POSTs an update to a webhook URL as Telegram would, with or without the secret header. */
export async function postWebhook(
  url: string,
  update: Params,
  secret?: string,
): Promise<{ status: number; body: string }> {
  const r = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(secret !== undefined ? { 'x-telegram-bot-api-secret-token': secret } : {}),
    },
    body: JSON.stringify(update),
  });
  return { status: r.status, body: await r.text() };
}

// ---------- helpers ----------

const HELD = Symbol('held');

class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Params> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  if (raw === '') return {};
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/x-www-form-urlencoded'))
    return normalize(Object.fromEntries(new URLSearchParams(raw)));
  if (type.includes('multipart/form-data')) throw new Error('the fake Bot API does not take uploads');
  return normalize(JSON.parse(raw) as Params);
}

/** Form and query values arrive as strings; Telegram reads JSON-looking ones as JSON. */
function normalize(p: Params): Params {
  const out: Params = {};
  for (const [k, v] of Object.entries(p)) {
    if (typeof v === 'string' && /^[[{]/.test(v)) {
      try {
        out[k] = JSON.parse(v);
        continue;
      } catch {
        // not JSON after all: keep the string
      }
    }
    out[k] = v;
  }
  return out;
}

function truthy(v: unknown): boolean {
  return v === true || v === 'true' || v === 1 || v === '1';
}

function checkText(text: unknown): string {
  if (typeof text !== 'string' || text.trim() === '')
    throw new ApiError(400, 'Bad Request: message text is empty');
  if (text.length > 4096) throw new ApiError(400, 'Bad Request: message is too long');
  return text;
}

function checkMarkup(markup: unknown): Button[][] {
  if (markup === undefined || markup === null) return [];
  const rows = (markup as { inline_keyboard?: unknown }).inline_keyboard;
  if (rows === undefined) return [];
  if (!Array.isArray(rows)) throw new ApiError(400, 'Bad Request: inline keyboard must be an array of rows');
  for (const row of rows) {
    if (!Array.isArray(row)) throw new ApiError(400, 'Bad Request: inline keyboard row must be an array');
    for (const b of row as Button[]) {
      if (typeof b.text !== 'string' || b.text === '')
        throw new ApiError(400, 'Bad Request: BUTTON_TEXT_EMPTY');
      const kinds = [b.callback_data, b.url].filter((x) => x !== undefined).length;
      if (kinds !== 1) throw new ApiError(400, 'Bad Request: BUTTON_TYPE_INVALID');
      if (b.callback_data !== undefined) {
        const bytes = Buffer.byteLength(String(b.callback_data), 'utf8');
        if (bytes < 1 || bytes > 64) throw new ApiError(400, 'Bad Request: BUTTON_DATA_INVALID');
      }
      if (b.url !== undefined && !/^(https?|tg):\/\//.test(String(b.url)))
        throw new ApiError(400, 'Bad Request: BUTTON_URL_INVALID');
    }
  }
  return (rows as Button[][]).map((row) => row.map((b) => ({ ...b })));
}

function sameButtons(a: Button[][], b: Button[][]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The entities a Telegram client adds: a leading bot command, and @mentions. */
function entitiesOf(text: string): Params {
  const entities: Params[] = [];
  const cmd = /^\/[A-Za-z0-9_]+(@\w+)?/.exec(text);
  if (cmd) entities.push({ type: 'bot_command', offset: 0, length: cmd[0].length });
  for (const m of text.matchAll(/@[A-Za-z0-9_]{5,32}/g)) {
    if (cmd && m.index < cmd[0].length) continue;
    entities.push({ type: 'mention', offset: m.index, length: m[0].length });
  }
  return entities.length > 0 ? { entities } : {};
}
