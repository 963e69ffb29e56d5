/**
 * One Telegram update → what the adapter does with it. Pure: no I/O, no telegraf, so every
 * platform shape (forwards, deep links, group mentions, foreign buttons) is tested directly.
 * Read loosely: fields are checked, not trusted, since any Bot API server may send them.
 */
import { type Inbound, isCommandName, parseCommand } from '../../src/index.ts';
import { decodeCallback } from './callback-data.ts';

export interface TgUser {
  id: number;
  is_bot?: boolean;
  username?: string;
  language_code?: string;
}

export interface TgEntity {
  type: string;
  offset: number;
  length: number;
  user?: TgUser;
}

export interface TgMessage {
  message_id: number;
  date?: number;
  chat: { id: number; type?: string };
  from?: TgUser;
  text?: string;
  caption?: string;
  entities?: TgEntity[];
  caption_entities?: TgEntity[];
  forward_origin?: unknown;
  forward_date?: number;
  reply_to_message?: TgMessage;
  reply_markup?: unknown;
}

export interface TgCallbackQuery {
  id: string;
  from: TgUser;
  message?: TgMessage;
  data?: string;
}

export interface TgUpdate {
  update_id: number;
  message?: TgMessage;
  callback_query?: TgCallbackQuery;
}

export interface Me {
  id: number;
  username: string;
}

/** The button press behind a private turn, so its message can be marked and the query answered. */
export interface Press {
  queryId: string;
  messageId?: number;
  data: string;
  messageText?: string;
  markup?: unknown;
}

export type Plan =
  | { kind: 'turn'; chatId: number; inbound: Inbound; incomingId?: number; press?: Press }
  | { kind: 'group'; chatId: number; replyTo: number; languageCode?: string; startPayload?: string }
  /** A button we cannot act on (in a group, or a game): only stop its spinner. */
  | { kind: 'answer-only'; queryId: string }
  | { kind: 'ignore' };

/** Deep-link payloads allowed by Telegram: `t.me/bot?start=<payload>`. */
const PAYLOAD = /^[A-Za-z0-9_-]{1,64}$/;

export const CHANNEL = 'telegram';

export function conversationKey(chatId: number): string {
  return `tg:${chatId}`;
}

export function planUpdate(update: TgUpdate, me: Me): Plan {
  if (update.callback_query) return planPress(update, update.callback_query);
  const msg = update.message;
  if (!msg?.chat || typeof msg.message_id !== 'number') return { kind: 'ignore' };
  if (msg.from?.is_bot) return { kind: 'ignore' };
  const type = chatType(msg.chat);
  if (type === 'group' || type === 'supergroup') return planGroup(msg, me);
  if (type !== 'private') return { kind: 'ignore' };
  return {
    kind: 'turn',
    chatId: msg.chat.id,
    inbound: messageInbound(update, msg),
    incomingId: msg.message_id,
  };
}

/** A server that leaves out chat.type still follows Telegram's ids: people positive, groups negative. */
function chatType(chat: { id: number; type?: string }): string {
  return chat.type ?? (chat.id > 0 ? 'private' : 'group');
}

/** Who and where: the fields every turn carries, the kind of turn set by the caller. */
function withHints<T extends Inbound>(
  turn: T,
  update: TgUpdate,
  chatId: number,
  from: TgUser | undefined,
): T {
  turn.user = conversationKey(chatId);
  turn.channel = CHANNEL;
  turn.id = String(update.update_id);
  if (from?.language_code) turn.locale = from.language_code;
  return turn;
}

function messageInbound(update: TgUpdate, msg: TgMessage): Inbound {
  const text = msg.text ?? msg.caption ?? '';
  let turn: Inbound;
  const cmd = msg.text !== undefined ? parseCommand(msg.text) : undefined;
  // A forward is something the person received and wants checked, even if it looks like a command.
  if (msg.forward_origin !== undefined || msg.forward_date !== undefined) {
    turn = { user: '', kind: 'text', text, forwarded: true };
  } else if (!cmd) {
    turn = { user: '', kind: 'text', text };
  } else if (cmd.command === 'start') {
    turn = { user: '', kind: 'command', command: 'start' };
    // `/start job-offer` is what Telegram sends for t.me/bot?start=job-offer.
    if (cmd.arg && PAYLOAD.test(cmd.arg)) turn.flow = cmd.arg;
  } else {
    turn = { user: '', kind: 'command', command: cmd.command };
    if (cmd.arg) turn.arg = cmd.arg;
  }
  return withHints(turn, update, msg.chat.id, msg.from);
}

function planPress(update: TgUpdate, q: TgCallbackQuery): Plan {
  const chat = q.message?.chat;
  if (!chat || chatType(chat) !== 'private' || q.data === undefined)
    return { kind: 'answer-only', queryId: q.id };
  const decoded = decodeCallback(q.data);
  // Data this bot never made: an unparseable stamp makes the engine say so kindly and show where we are.
  const press = decoded ?? { choice: '_', stamp: '?' };
  const inbound: Inbound = { user: '', kind: 'choice', choice: press.choice };
  if (press.stamp !== undefined) inbound.stamp = press.stamp;
  const pressed: Press = { queryId: q.id, data: q.data };
  const m = q.message;
  if (m) pressed.messageId = m.message_id;
  if (m?.text !== undefined) pressed.messageText = m.text;
  if (m?.reply_markup !== undefined) pressed.markup = m.reply_markup;
  return {
    kind: 'turn',
    chatId: chat.id,
    inbound: withHints(inbound, update, chat.id, q.from),
    press: pressed,
  };
}

/**
 * In a group: a command for this bot, a mention of it or a reply to it gets the private-chat note.
 * Read from the text itself, not only from entities, which some Bot API servers leave out.
 */
function planGroup(msg: TgMessage, me: Me): Plan {
  const text = msg.text ?? msg.caption ?? '';
  const base = {
    kind: 'group' as const,
    chatId: msg.chat.id,
    replyTo: msg.message_id,
    ...(msg.from?.language_code ? { languageCode: msg.from.language_code } : {}),
  };
  const username = me.username.toLowerCase();
  const command = /^\/([A-Za-z0-9_]+)(?:@(\w+))?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (command) {
    const [, name = '', target, arg = ''] = command;
    if (target !== undefined && target.toLowerCase() !== username) return { kind: 'ignore' };
    // Another bot's command, sent to every bot in the group.
    if (!isCommandName(name.toLowerCase())) return { kind: 'ignore' };
    const payload = name.toLowerCase() === 'start' && PAYLOAD.test(arg.trim()) ? arg.trim() : undefined;
    return { ...base, ...(payload ? { startPayload: payload } : {}) };
  }
  const entities = msg.entities ?? msg.caption_entities ?? [];
  const mentioned =
    new RegExp(`(^|[^\\w])@${escapeRegExp(username)}(?![\\w])`, 'i').test(text) ||
    entities.some((e) => e.type === 'text_mention' && e.user?.id === me.id);
  if (mentioned || msg.reply_to_message?.from?.id === me.id) return base;
  return { kind: 'ignore' };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
