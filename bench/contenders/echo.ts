/** The floor: a telegraf bot that answers every message with its own text and keeps nothing. */
import { Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import { BOT_INFO, BOT_TOKEN } from '../lib/stub-api.ts';
import { type Contender, STUB_ROOT } from './contender.ts';

export function buildEcho(): Contender {
  const bot = new Telegraf(BOT_TOKEN, { telegram: { apiRoot: STUB_ROOT, webhookReply: false } });
  bot.botInfo = BOT_INFO;
  bot.on('message', (ctx) =>
    ctx.reply('text' in ctx.message ? ctx.message.text : 'ok').then(() => undefined),
  );
  bot.on('callback_query', (ctx) => ctx.answerCbQuery().then(() => undefined));
  return {
    name: 'echo',
    handle: (update) => bot.handleUpdate(update as unknown as Update),
    storedBytes: async () => 0,
    close: async () => undefined,
  };
}
