/**
 * Simulated people in private chats, building the Telegram updates their phones would produce.
 * Every contender is driven by the same script: the k-th update of a conversation depends only
 * on k and on the buttons the bot showed, never on which bot it is.
 */
import { BOT_ID, BOT_USERNAME, type StubBotApi } from './stub-api.ts';

/** A Bot API update, as telegraf, grammY and SafeStep's adapter all read it. */
export type Update = { update_id: number } & Record<string, unknown>;

/** The conversation every contender holds: /start, then four answers by button (one outcome). */
export const SCRIPT_LENGTH = 5;

export class People {
  private updateId = 1;
  private messageId = 1;

  constructor(private readonly api: StubBotApi) {}

  /**
   * Turn `turn` (1-based) of the script, repeated in cycles: position 1 is /start (which opens,
   * or starts over, the conversation), positions 2-5 press the first button of the newest
   * message with buttons, or type "ok" when there is none.
   */
  scriptTurn(chatId: number, turn: number): Update {
    if ((turn - 1) % SCRIPT_LENGTH === 0) return this.text(chatId, '/start');
    const k = this.api.takeKeyboard(chatId);
    const data = k?.reply_markup.inline_keyboard[0]?.[0]?.callback_data;
    if (!k || data === undefined) return this.text(chatId, 'ok');
    return this.press(chatId, k.message_id, k.text, k.reply_markup, data);
  }

  text(chatId: number, text: string): Update {
    const command = /^\/\w+/.exec(text);
    return {
      update_id: this.updateId++,
      message: {
        message_id: this.messageId++,
        date: 1_700_000_000,
        chat: { id: chatId, type: 'private', first_name: 'P' },
        from: person(chatId),
        text,
        ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] } : {}),
      },
    };
  }

  press(chatId: number, messageId: number, text: string, markup: unknown, data: string): Update {
    return {
      update_id: this.updateId++,
      callback_query: {
        id: String(this.updateId),
        from: person(chatId),
        chat_instance: `ci${chatId}`,
        data,
        message: {
          message_id: messageId,
          date: 1_700_000_000,
          chat: { id: chatId, type: 'private', first_name: 'P' },
          from: { id: BOT_ID, is_bot: true, first_name: 'Bench', username: BOT_USERNAME },
          text,
          reply_markup: markup,
        },
      },
    };
  }
}

function person(id: number) {
  return { id, is_bot: false, first_name: 'P', language_code: 'en' };
}
