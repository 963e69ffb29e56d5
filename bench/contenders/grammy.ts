/**
 * The other peer: grammY with the conversations plugin, in memory (a Map adapter, the plugin's
 * default kind of storage). One conversation that loops: after the outcome it waits for the next
 * /start and asks again, so it grows with every turn as a replay engine does.
 */
import {
  type Conversation,
  type ConversationFlavor,
  conversations,
  createConversation,
} from '@grammyjs/conversations';
import { Bot, type Context, InlineKeyboard } from 'grammy';
import type { Update, UserFromGetMe } from 'grammy/types';
import { BOT_INFO, BOT_TOKEN } from '../lib/stub-api.ts';
import { type Contender, jsonBytes, STUB_ROOT } from './contender.ts';
import { OUTCOME, PRESS_A_BUTTON, QUESTIONS, type Question } from './questions.ts';

type Ctx = ConversationFlavor<Context>;
type Convo = Conversation<Ctx, Context>;

const keyboard = (q: Question) =>
  InlineKeyboard.from(q.answers.map((a) => [InlineKeyboard.text(a.label, a.id)]));

async function answer(conversation: Convo): Promise<Context> {
  const ctx = await conversation.waitFor('callback_query:data', {
    otherwise: (c) => c.reply(PRESS_A_BUTTON),
  });
  await ctx.answerCallbackQuery();
  await ctx.editMessageReplyMarkup();
  return ctx;
}

async function check(conversation: Convo, ctx: Context): Promise<void> {
  const first = QUESTIONS[0]!;
  await ctx.reply(first.text, { reply_markup: keyboard(first) });
  for (;;) {
    for (const q of QUESTIONS.slice(1)) {
      const c = await answer(conversation);
      await c.reply(q.text, { reply_markup: keyboard(q) });
    }
    const last = await answer(conversation);
    await last.reply(OUTCOME);
    const again = await conversation.waitFor('message:text');
    await again.reply(first.text, { reply_markup: keyboard(first) });
  }
}

export function buildGrammy(): Contender {
  const stored = new Map<string, unknown>();
  const bot = new Bot<Ctx>(BOT_TOKEN, {
    botInfo: BOT_INFO as unknown as UserFromGetMe,
    client: { apiRoot: STUB_ROOT },
  });
  bot.use(
    conversations({
      storage: {
        type: 'key',
        adapter: {
          read: (key: string) => stored.get(key) as never,
          write: (key: string, value: unknown) => void stored.set(key, value),
          delete: (key: string) => void stored.delete(key),
        },
      },
    }),
  );
  bot.use(createConversation(check, 'check'));
  bot.command('start', (ctx) => ctx.conversation.enter('check'));
  return {
    name: 'grammy',
    handle: (update) => bot.handleUpdate(update as unknown as Update),
    storedBytes: async (chatId) => jsonBytes(stored.get(String(chatId))),
    close: async () => undefined,
  };
}
