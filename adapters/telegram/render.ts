/**
 * The engine's replies → Telegram messages. Consecutive replies are joined into one message until
 * a reply that carries buttons closes it, so a turn buzzes the phone once rather than three
 * times. Plain text, no parse mode: nothing a flow author or a person writes can break the
 * formatting or smuggle in a link, and there is nothing to escape.
 */
import type { Reply } from '../../src/index.ts';
import { encodeCallback } from './callback-data.ts';
import type { Payload } from './sender.ts';
import { splitText, TEXT_LIMIT } from './split.ts';

export interface CallbackButton {
  text: string;
  callback_data: string;
}

export interface UrlButton {
  text: string;
  url: string;
}

export interface OutgoingMessage {
  text: string;
  /** Rows of buttons (see layout). */
  keyboard?: CallbackButton[][];
}

const JOIN = '\n\n';
/** A reply may quote a link the person pasted: Telegram must never fetch a preview of it. */
const NO_PREVIEW = Object.freeze({ is_disabled: true });

/**
 * Every new message the bot sends: plain text (no parse mode, so nothing to escape and nothing
 * can change the formatting), link previews off, buttons if any, a reply to a message if asked.
 */
export function messagePayload(
  chatId: number,
  text: string,
  keyboard?: readonly (readonly (CallbackButton | UrlButton)[])[],
  replyTo?: number,
): Payload {
  const payload: Payload = { chat_id: chatId, text, link_preview_options: NO_PREVIEW };
  if (keyboard) payload.reply_markup = { inline_keyboard: keyboard };
  if (replyTo !== undefined) {
    payload.reply_parameters = { message_id: replyTo, allow_sending_without_reply: true };
  }
  return payload;
}

export function renderReplies(replies: readonly Reply[], limit = TEXT_LIMIT): OutgoingMessage[] {
  const out: OutgoingMessage[] = [];
  let pending = '';
  for (const reply of replies) {
    if (reply.text.trim() !== '') pending = pending === '' ? reply.text : pending + JOIN + reply.text;
    const keyboard = keyboardOf(reply);
    if (keyboard) {
      addMessages(out, pending, limit, keyboard);
      pending = '';
    }
  }
  if (pending !== '') addMessages(out, pending, limit);
  return out;
}

/** One text as messages under the limit, the buttons on the last. */
function addMessages(out: OutgoingMessage[], text: string, limit: number, keyboard?: CallbackButton[][]) {
  const chunks = splitText(text, limit);
  // Telegram refuses an empty text; buttons still need a message to hang on.
  if (chunks.length === 0 && keyboard) chunks.push('…');
  const last = chunks.length - 1;
  for (let i = 0; i < last; i++) out.push({ text: chunks[i]! });
  if (last >= 0) out.push(keyboard ? { text: chunks[last]!, keyboard } : { text: chunks[last]! });
}

function keyboardOf(reply: Reply): CallbackButton[][] | undefined {
  const choices = reply.choices;
  if (!choices || choices.length === 0) return undefined;
  const buttons: CallbackButton[] = [];
  for (const choice of choices) {
    const data = encodeCallback(choice.id, reply.stamp);
    if (data !== undefined) buttons.push({ text: choice.label, callback_data: data });
  }
  if (buttons.length === 0) return undefined;
  const perRow = columns(buttons.map((b) => b.text));
  // The usual prompt (one answer per row) needs no slicing.
  if (perRow === 1) return buttons.map((b) => [b]);
  const rows: CallbackButton[][] = [];
  for (let i = 0; i < buttons.length; i += perRow) rows.push(buttons.slice(i, i + perRow));
  return rows;
}

/**
 * Answers are sentences: one per row reads like a list. A long list of short labels (regions,
 * languages) goes two or three to a row so it fits on a phone screen without scrolling.
 */
export function columns(labels: readonly string[]): number {
  if (labels.length <= 4) return 1;
  let longest = 0;
  for (const l of labels) longest = Math.max(longest, codePoints(l));
  if (longest <= 10) return 3;
  if (longest <= 18) return 2;
  return 1;
}

/** Characters as a person counts them (code points), without spreading the string into an array. */
function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A high surrogate followed by a low one is one character.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** The button on a message that carried this callback_data, for marking what was chosen. */
export function labelOf(markup: unknown, data: string): string | undefined {
  const rows = (markup as { inline_keyboard?: unknown } | undefined)?.inline_keyboard;
  if (!Array.isArray(rows)) return undefined;
  for (const row of rows) {
    if (!Array.isArray(row)) continue;
    for (const b of row as { text?: unknown; callback_data?: unknown }[]) {
      if (b?.callback_data === data && typeof b.text === 'string') return b.text;
    }
  }
  return undefined;
}
