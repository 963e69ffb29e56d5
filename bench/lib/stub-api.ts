/**
 * The Bot API stubbed at the transport, the same way for every contender: node-fetch, which both
 * telegraf and grammY call for every request, is replaced by a function that answers at once.
 * Everything above it (building the request, JSON, the client's own checks) still runs. Stubbing
 * higher up would not reach every call: telegraf builds a new Telegram per update, and grammY a
 * new API client per conversation.
 *
 * The stub keeps, per chat, the newest message that came with buttons, so a simulated person can
 * press one, as a real one would. It does as little as it can while a bot waits on it (a real
 * Bot API's work is not the bot's cost): the request body is kept as it came and parsed only
 * when the simulated person reads it, which the benchmarks do outside their timings.
 */
import { createRequire } from 'node:module';

export const BOT_ID = 7_000_000;
export const BOT_USERNAME = 'safestep_bench_bot';
export const BOT_TOKEN = `${BOT_ID}:bench-token`;
export const BOT_INFO = {
  id: BOT_ID,
  is_bot: true as const,
  first_name: 'Bench',
  username: BOT_USERNAME,
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
};

export interface Button {
  text: string;
  callback_data?: string;
}

/** The message a person would press a button on. */
export interface KeyboardMessage {
  message_id: number;
  text: string;
  reply_markup: { inline_keyboard: Button[][] };
}

interface StubResponse {
  status: number;
  ok: boolean;
  statusText: string;
  json(): Promise<unknown>;
}

export class StubBotApi {
  private nextMessageId = 1;
  /** The raw body of the newest sendMessage with buttons, and the message id it got, per chat. */
  private readonly keyboards = new Map<number, { id: number; body: string }>();
  readonly calls = new Map<string, number>();

  /** Drop-in for node-fetch: `fetch(url, { body })`, where the URL ends in `/<method>`. */
  readonly fetch = async (url: string | URL, init?: { body?: unknown }): Promise<StubResponse> => {
    const href = typeof url === 'string' ? url : url.href;
    const method = href.slice(href.lastIndexOf('/') + 1);
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
    const result = this.answer(method, init?.body);
    return { status: 200, ok: true, statusText: 'OK', json: async () => ({ ok: true, result }) };
  };

  /**
   * The newest message with buttons in a chat, taken: a person presses a message's buttons once
   * (the bots here all take them away when pressed).
   */
  takeKeyboard(chatId: number): KeyboardMessage | undefined {
    const k = this.keyboards.get(chatId);
    if (!k) return undefined;
    this.keyboards.delete(chatId);
    const p = JSON.parse(k.body) as { text?: string; reply_markup: { inline_keyboard: Button[][] } };
    return {
      message_id: k.id,
      text: p.text ?? '',
      reply_markup: { inline_keyboard: p.reply_markup.inline_keyboard },
    };
  }

  callCount(): number {
    let n = 0;
    for (const c of this.calls.values()) n += c;
    return n;
  }

  private answer(method: string, body: unknown): unknown {
    switch (method) {
      case 'getMe':
        return BOT_INFO;
      case 'sendMessage':
        return this.sent(typeof body === 'string' ? body : '{}');
      default:
        return true;
    }
  }

  private sent(body: string) {
    const chatId = Number(CHAT_ID.exec(body)?.[1]);
    const message = {
      message_id: this.nextMessageId++,
      date: 1_700_000_000,
      chat: { id: chatId, type: 'private' },
    };
    if (body.includes('"inline_keyboard":[[')) this.keyboards.set(chatId, { id: message.message_id, body });
    return message;
  }
}

const CHAT_ID = /"chat_id":(-?\d+)/;

/** Routes every node-fetch call in this process to the stub; returns the undo. */
export function installStub(stub: StubBotApi): () => void {
  const require = createRequire(import.meta.url);
  const nodeFetch = require('node-fetch') as { default: unknown };
  const previous = nodeFetch.default;
  nodeFetch.default = stub.fetch;
  return () => {
    nodeFetch.default = previous;
  };
}
