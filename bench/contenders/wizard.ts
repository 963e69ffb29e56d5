/**
 * The peer a telegraf developer would pick: a WizardScene over telegraf's session, kept in
 * memory (a Map store, which is what the default store is). It loops: after the outcome, the
 * next /start asks the first question again, in the same scene.
 */
import { type Context, Markup, Scenes, session, Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import { BOT_INFO, BOT_TOKEN } from '../lib/stub-api.ts';
import { type Contender, jsonBytes, STUB_ROOT } from './contender.ts';
import { OUTCOME, PRESS_A_BUTTON, QUESTIONS, type Question } from './questions.ts';

interface CheckState {
  answers: string[];
}
type Ctx = Scenes.WizardContext;

const keyboard = (q: Question) =>
  Markup.inlineKeyboard(q.answers.map((a) => [Markup.button.callback(a.label, a.id)]));

/** A pressed button is acknowledged and taken away, and its answer kept. */
async function tookAnswer(ctx: Ctx): Promise<boolean> {
  const data = ctx.callbackQuery && 'data' in ctx.callbackQuery ? ctx.callbackQuery.data : undefined;
  if (data === undefined) {
    await ctx.reply(PRESS_A_BUTTON);
    return false;
  }
  await ctx.answerCbQuery();
  await ctx.editMessageReplyMarkup(undefined);
  (ctx.wizard.state as CheckState).answers.push(data);
  return true;
}

function ask(i: number) {
  return async (ctx: Ctx) => {
    if (!(await tookAnswer(ctx))) return;
    const q = QUESTIONS[i]!;
    await ctx.reply(q.text, keyboard(q));
    return ctx.wizard.next();
  };
}

export function buildWizard(): Contender {
  const first = QUESTIONS[0]!;
  const scene = new Scenes.WizardScene<Ctx>(
    'check',
    async (ctx) => {
      (ctx.wizard.state as CheckState).answers = [];
      await ctx.reply(first.text, keyboard(first));
      return ctx.wizard.next();
    },
    ask(1),
    ask(2),
    ask(3),
    async (ctx) => {
      if (!(await tookAnswer(ctx))) return;
      await ctx.reply(OUTCOME);
      return ctx.wizard.selectStep(0);
    },
  );
  const sessions = new Map<string, object>();
  const bot = new Telegraf<Ctx>(BOT_TOKEN, { telegram: { apiRoot: STUB_ROOT, webhookReply: false } });
  bot.botInfo = BOT_INFO;
  bot.use(
    session({
      store: {
        get: (key: string) => sessions.get(key),
        set: (key: string, value: object) => void sessions.set(key, value),
        delete: (key: string) => void sessions.delete(key),
      },
    }) as unknown as (ctx: Context, next: () => Promise<void>) => Promise<void>,
  );
  bot.use(new Scenes.Stage<Ctx>([scene]).middleware());
  bot.command('start', (ctx) => ctx.scene.enter('check'));
  return {
    name: 'wizard',
    handle: (update) => bot.handleUpdate(update as unknown as Update),
    storedBytes: async (chatId) => jsonBytes(sessions.get(`${chatId}:${chatId}`)),
    close: async () => undefined,
  };
}
