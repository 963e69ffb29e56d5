/**
 * A turn's result → the ordered calls for one chat: take away spent buttons, carry out the
 * engine's effects, send the replies. Built lazily (see Job.build), so each call sees the message
 * ids the calls before it produced. Jobs are small classes rather than closures: a few are made
 * for every update.
 */
import type { TurnResult } from '../../src/index.ts';
import type { ChatMemory } from './chat-memory.ts';
import type { Failure } from './errors.ts';
import { labelOf, messagePayload, type OutgoingMessage, renderReplies } from './render.ts';
import type { Call, Job } from './sender.ts';
import { TEXT_LIMIT } from './split.ts';
import type { Press } from './update.ts';
import { GROUP_NOTE, telegramLocale } from './words.ts';

const NO_BUTTONS = { inline_keyboard: [] };

/**
 * The message whose button was pressed loses its buttons, so it cannot be answered twice. When it
 * was the live prompt, it also shows what was chosen, as a record in the chat.
 */
export function pressJob(chatId: number, press: Press, memory: ChatMemory): Job {
  return new MarkPressed(chatId, press, memory);
}

export function turnJobs(chatId: number, result: TurnResult, memory: ChatMemory): Job[] {
  const jobs: Job[] = [];
  if (hasEffect(result, 'hide')) jobs.push(new Hide(chatId, memory));
  const messages = renderReplies(result.replies);
  if (messages.length > 0) jobs.push(new RetireKeyboard(chatId, memory));
  for (const m of messages) jobs.push(new Send(chatId, m, memory));
  if (hasEffect(result, 'forgotten')) jobs.push(new Forget(chatId, memory));
  return jobs;
}

/** Most turns have no effects: a plain loop, no predicate made per turn. */
function hasEffect(result: TurnResult, type: TurnResult['effects'][number]['type']): boolean {
  for (const e of result.effects) if (e.type === type) return true;
  return false;
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
  const keyboard = botUsername ? [[{ text: words.button, url }]] : undefined;
  const payload = messagePayload(chatId, words.text, keyboard, replyTo);
  return new Prepared({ method: 'sendMessage', payload }, true);
}

class MarkPressed implements Job {
  constructor(
    private readonly chatId: number,
    private readonly press: Press,
    private readonly memory: ChatMemory,
  ) {}

  build(): Call | undefined {
    const { chatId, press, memory } = this;
    if (press.messageId === undefined) return undefined;
    const wasLive = memory.liveKeyboard(chatId) === press.messageId;
    if (wasLive) memory.setLiveKeyboard(chatId, undefined);
    const label = wasLive ? labelOf(press.markup, press.data) : undefined;
    const marked = label && press.messageText ? `${press.messageText}\n\n✓ ${label}` : undefined;
    if (marked && marked.length <= TEXT_LIMIT) {
      return {
        method: 'editMessageText',
        payload: { chat_id: chatId, message_id: press.messageId, reply_markup: NO_BUTTONS, text: marked },
      };
    }
    return {
      method: 'editMessageReplyMarkup',
      payload: { chat_id: chatId, message_id: press.messageId, reply_markup: NO_BUTTONS },
    };
  }
}

/** The previous prompt's buttons go when the conversation moves on (typed answers included). */
class RetireKeyboard implements Job {
  constructor(
    private readonly chatId: number,
    private readonly memory: ChatMemory,
  ) {}

  build(): Call | undefined {
    const live = this.memory.liveKeyboard(this.chatId);
    if (live === undefined) return undefined;
    this.memory.setLiveKeyboard(this.chatId, undefined);
    return {
      method: 'editMessageReplyMarkup',
      payload: { chat_id: this.chatId, message_id: live, reply_markup: NO_BUTTONS },
    };
  }
}

class Send implements Job {
  readonly counts = true;

  constructor(
    private readonly chatId: number,
    private readonly message: OutgoingMessage,
    private readonly memory: ChatMemory,
  ) {}

  build(): Call {
    return {
      method: 'sendMessage',
      payload: messagePayload(this.chatId, this.message.text, this.message.keyboard),
    };
  }

  onSent(result: unknown): void {
    const id = (result as { message_id?: unknown } | undefined)?.message_id;
    if (typeof id !== 'number') return;
    this.memory.remember(this.chatId, id);
    if (this.message.keyboard) this.memory.setLiveKeyboard(this.chatId, id);
  }
}

/** A call known in advance. */
class Prepared implements Job {
  constructor(
    private readonly call: Call,
    readonly counts: boolean,
  ) {}

  build(): Call {
    return this.call;
  }
}

/**
 * Quick hide: delete what this chat shows of the conversation, both sides (Telegram lets a bot
 * delete its own messages and, in a private chat, the person's, for 48 hours). One deleteMessages
 * call, or one deleteMessage per message on a Bot API server that lacks it.
 */
class Hide implements Job {
  private ids: number[] = [];

  constructor(
    private readonly chatId: number,
    private readonly memory: ChatMemory,
  ) {}

  build(): Call | undefined {
    this.ids = this.memory.takeRecent(this.chatId);
    if (this.ids.length === 0) return undefined;
    return { method: 'deleteMessages', payload: { chat_id: this.chatId, message_ids: this.ids } };
  }

  fallback(failure: Failure): Job[] | undefined {
    if (failure.kind !== 'permanent' || !failure.unknownMethod) return undefined;
    return this.ids.map(
      (id) =>
        new Prepared({ method: 'deleteMessage', payload: { chat_id: this.chatId, message_id: id } }, false),
    );
  }
}

/** After /forget, the adapter forgets the chat's screen too (no call). */
class Forget implements Job {
  constructor(
    private readonly chatId: number,
    private readonly memory: ChatMemory,
  ) {}

  build(): undefined {
    this.memory.forget(this.chatId);
    return undefined;
  }
}
