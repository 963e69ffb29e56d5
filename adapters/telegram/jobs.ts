/**
 * A turn's result → the ordered calls for one chat: take away spent buttons, carry out the
 * engine's effects, send the replies. Built lazily (see Job.build), so each call sees the message
 * ids the calls before it produced.
 */
import type { TurnResult } from '../../src/index.ts';
import type { ChatMemory } from './chat-memory.ts';
import { labelOf, type OutgoingMessage, renderReplies } from './render.ts';
import type { Job } from './sender.ts';
import { TEXT_LIMIT } from './split.ts';
import type { Press } from './update.ts';
import { GROUP_NOTE, telegramLocale } from './words.ts';

const NO_BUTTONS = { inline_keyboard: [] };

/**
 * The message whose button was pressed loses its buttons, so it cannot be answered twice. When it
 * was the live prompt, it also shows what was chosen, as a record in the chat.
 */
export function pressJob(chatId: number, press: Press, memory: ChatMemory): Job {
  return {
    build: () => {
      if (press.messageId === undefined) return undefined;
      const target = { chat_id: chatId, message_id: press.messageId };
      const wasLive = memory.liveKeyboard(chatId) === press.messageId;
      if (wasLive) memory.setLiveKeyboard(chatId, undefined);
      const label = wasLive ? labelOf(press.markup, press.data) : undefined;
      const marked = label && press.messageText ? `${press.messageText}\n\n✓ ${label}` : undefined;
      if (marked && marked.length <= TEXT_LIMIT) {
        return { method: 'editMessageText', payload: { ...target, text: marked, reply_markup: NO_BUTTONS } };
      }
      return { method: 'editMessageReplyMarkup', payload: { ...target, reply_markup: NO_BUTTONS } };
    },
  };
}

export function turnJobs(chatId: number, result: TurnResult, memory: ChatMemory): Job[] {
  const jobs: Job[] = [];
  if (result.effects.some((e) => e.type === 'hide')) jobs.push(hideJob(chatId, memory));
  const messages = renderReplies(result.replies);
  if (messages.length > 0) jobs.push(retireKeyboardJob(chatId, memory));
  for (const m of messages) jobs.push(sendJob(chatId, m, memory));
  if (result.effects.some((e) => e.type === 'forgotten')) {
    jobs.push({ build: () => void memory.forget(chatId) });
  }
  return jobs;
}

/** The previous prompt's buttons go when the conversation moves on (typed answers included). */
function retireKeyboardJob(chatId: number, memory: ChatMemory): Job {
  return {
    build: () => {
      const live = memory.liveKeyboard(chatId);
      if (live === undefined) return undefined;
      memory.setLiveKeyboard(chatId, undefined);
      return {
        method: 'editMessageReplyMarkup',
        payload: { chat_id: chatId, message_id: live, reply_markup: NO_BUTTONS },
      };
    },
  };
}

function sendJob(chatId: number, m: OutgoingMessage, memory: ChatMemory): Job {
  return {
    counts: true,
    build: () => ({
      method: 'sendMessage',
      payload: {
        chat_id: chatId,
        text: m.text,
        // Replies may quote a link the person pasted: never let Telegram fetch a preview of it.
        link_preview_options: { is_disabled: true },
        ...(m.keyboard ? { reply_markup: { inline_keyboard: m.keyboard } } : {}),
      },
    }),
    onSent: (result) => {
      const id = (result as { message_id?: unknown } | undefined)?.message_id;
      if (typeof id !== 'number') return;
      memory.remember(chatId, id);
      if (m.keyboard) memory.setLiveKeyboard(chatId, id);
    },
  };
}

/**
 * Quick hide: delete what this chat shows of the conversation, both sides (Telegram lets a bot
 * delete its own messages and, in a private chat, the person's, for 48 hours). One deleteMessages
 * call, or one deleteMessage per message on a Bot API server that lacks it.
 */
function hideJob(chatId: number, memory: ChatMemory): Job {
  let ids: number[] = [];
  return {
    build: () => {
      ids = memory.takeRecent(chatId);
      if (ids.length === 0) return undefined;
      return { method: 'deleteMessages', payload: { chat_id: chatId, message_ids: ids } };
    },
    fallback: (failure) =>
      failure.kind === 'permanent' && failure.unknownMethod
        ? ids.map((id) => ({
            build: () => ({ method: 'deleteMessage', payload: { chat_id: chatId, message_id: id } }),
          }))
        : undefined,
  };
}

/** In a group: no case talk, just the way to a private chat (opening the asked-for flow, if any). */
export function groupNoteJob(
  chatId: number,
  replyTo: number,
  botUsername: string,
  languageCode: string | undefined,
  startPayload: string | undefined,
): Job {
  const words = GROUP_NOTE[telegramLocale(languageCode)];
  const url = `https://t.me/${botUsername}${startPayload ? `?start=${startPayload}` : ''}`;
  const markup = botUsername ? { reply_markup: { inline_keyboard: [[{ text: words.button, url }]] } } : {};
  return {
    counts: true,
    build: () => ({
      method: 'sendMessage',
      payload: {
        chat_id: chatId,
        text: words.text,
        reply_parameters: { message_id: replyTo, allow_sending_without_reply: true },
        ...markup,
      },
    }),
  };
}
