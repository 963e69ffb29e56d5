/**
 * The real telegraf client, long polling a local fake Bot API, over the real engine and a real
 * SQLite file: what a person in a private chat sees.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatMessage, FakeUser } from '../fakes/telegram-bot-api.ts';
import { type Bot, removeTempDirs, startBot } from '../fakes/telegram-harness.ts';

let bot: Bot;

beforeEach(async () => {
  bot = await startBot();
});
afterEach(async () => {
  await bot.stop();
  await bot.api.close();
});
afterAll(removeTempDirs);

const texts = (ms: ChatMessage[]) => ms.map((m) => m.text);
const ui = (key: string, locale = 'en') => bot.engine.bundle.ui.get(locale)?.[key] ?? key;
/** Messages of the chat that still show buttons. */
const withButtons = (u: FakeUser) => u.screen().filter((m) => m.buttons.length > 0);

describe('a private chat, polling', () => {
  it('starts with deleteWebhook and long polling, and registers the menu in English and Chinese', async () => {
    await bot.api.waitFor(() => bot.api.callsOf('getUpdates').length > 0, 'a getUpdates');
    expect(bot.api.callsOf('deleteWebhook')).toHaveLength(1);
    expect(bot.api.callsOf('setWebhook')).toHaveLength(0);
    const en = bot.api.commands.get('all_private_chats|');
    const zh = bot.api.commands.get('all_private_chats|zh');
    expect(en?.map((c) => c.command)).toEqual(
      expect.arrayContaining(['start', 'help', 'back', 'restart', 'language', 'emergency', 'forget', 'hide']),
    );
    expect(zh?.map((c) => c.command)).toEqual(en?.map((c) => c.command));
    expect(zh?.find((c) => c.command === 'hide')?.description).toMatch(/\p{Script=Han}/u);
    expect(bot.api.commands.get('all_group_chats|')?.map((c) => c.command)).toEqual(['start', 'help']);
  });

  it('walks a conversation to an outcome with buttons and typed answers; spent buttons go away', async () => {
    const amy = bot.api.user({ id: 1001, language_code: 'en' });

    const hello = await amy.send('hi');
    expect(texts(hello.replies).join('\n')).toContain('What happened?');
    expect(
      hello.replies
        .at(-1)
        ?.buttons.flat()
        .map((b) => b.text),
    ).toEqual(['A job offer', 'I am in danger']);

    const job = await amy.press('A job offer');
    expect(bot.api.answeredCount(job.queryId)).toBe(1);
    expect(texts(job.replies)).toEqual(['Is the job in your country or abroad?']);
    // The pressed prompt keeps a record of the answer and can't be pressed again.
    const triage = hello.replies.at(-1)!;
    expect(amy.screen().find((m) => m.message_id === triage.message_id)?.text).toMatch(/✓ A job offer$/);

    // Typed instead of tapped: the label works, and the prompt it answered loses its buttons too.
    const fee = await amy.send('abroad');
    expect(texts(fee.replies)).toEqual(['Did they ask you to pay anything first?']);
    expect(fee.replies[0]?.buttons.flat().map((b) => b.text)).toContain('Only abroad jobs ask that');

    const outcome = await amy.press('Yes, a fee');
    const said = texts(outcome.replies).join('\n');
    expect(said).toContain('This is how the scam works.');
    expect(said).toContain("Don't pay anything.");
    expect(said).toContain('Stop replying to them.');

    // Only the newest prompt shows buttons; every press was answered exactly once.
    expect(withButtons(amy).map((m) => m.message_id)).toEqual(
      outcome.replies.filter((m) => m.buttons.length > 0).map((m) => m.message_id),
    );
    for (const q of bot.api.callsOf('answerCallbackQuery')) expect(q.status).toBe(200);
    expect(bot.api.callsOf('answerCallbackQuery')).toHaveLength(2);
    // No reply was sent without link previews off, and none with a parse mode.
    for (const c of bot.api.callsOf('sendMessage')) {
      expect(c.params.link_preview_options).toEqual({ is_disabled: true });
      expect(c.params.parse_mode).toBeUndefined();
    }
    // Logs hold no word the person typed.
    expect(bot.logs.text()).not.toMatch(/abroad|hi"/i);
  });

  it('keeps two people apart when their messages interleave', async () => {
    const amy = bot.api.user({ id: 2001, language_code: 'en' });
    const bo = bot.api.user({ id: 2002, language_code: 'zh-hans' });
    await Promise.all([amy.start('job-offer'), bo.start('job-offer')]);
    expect(amy.lastBotMessage()?.text).toBe('Is the job in your country or abroad?');
    expect(bo.lastBotMessage()?.text).toBe('这份工作在国内还是国外？');

    await Promise.all([amy.press('Abroad'), bo.press('国内'), amy.send('/help')]);
    await Promise.all([bo.send('没有'), amy.press('Yes, a fee')]);

    const amySaw = texts(amy.screen()).join('\n');
    const boSaw = texts(bo.screen()).join('\n');
    expect(amySaw).toContain('This is how the scam works.');
    expect(amySaw).not.toMatch(/\p{Script=Han}/u);
    expect(boSaw).toContain('你来核实做得很对。');
    expect(boSaw).not.toContain('scam');
    const [a, b] = await Promise.all([bot.engine.store.load('tg:2001'), bot.engine.store.load('tg:2002')]);
    expect(a?.data).toContain('high_risk');
    expect(b?.data).toContain('low_risk');
  });

  it('a deep link opens its flow at once', async () => {
    const cy = bot.api.user({ id: 3001, language_code: 'en' });
    const t = await cy.start('job-offer');
    expect(texts(t.replies)).toEqual(['Is the job in your country or abroad?']);
  });

  it('an old button gets a kind answer and changes nothing', async () => {
    const di = bot.api.user({ id: 4001, language_code: 'en' });
    const first = await di.start('job-offer');
    const where = first.replies[0]!;
    await di.press('Abroad');
    const before = await bot.engine.store.load('tg:4001');

    // The same button again, as a slow client still showing it would send it.
    const again = await di.press('Abroad', { message: where });
    expect(bot.api.answeredCount(again.queryId)).toBe(1);
    const said = texts(again.replies).join('\n');
    expect(said).toContain(ui('stale_button'));
    expect(said).toContain('Did they ask you to pay anything first?');
    const after = await bot.engine.store.load('tg:4001');
    expect(after?.data).toContain('"fee"');
    expect(before?.data).toContain('"fee"');
    // A button this bot never made is answered too, and kindly.
    const forged = await di.pressData(where, 'not-ours');
    expect(bot.api.answeredCount(forged.queryId)).toBe(1);
    expect(texts(forged.replies).join('\n')).toContain(ui('foreign_button'));
  });

  it('checks a forwarded message as a suspicious one', async () => {
    const ed = bot.api.user({ id: 5001, language_code: 'en' });
    await ed.start('job-offer');
    const t = await ed.send('Congratulations! Pay the training fee today to secure your job in Bangkok.', {
      forwarded: true,
    });
    const said = texts(t.replies).join('\n');
    expect(said).toContain('⚠️');
    expect(said).toContain('training fee');
  });

  it('quick hide deletes both sides of the conversation it can', async () => {
    const fay = bot.api.user({ id: 6001, language_code: 'en' });
    await fay.start('job-offer');
    await fay.press('Abroad');
    await fay.send('they want money first');
    const shownBefore = fay.screen().length;
    expect(shownBefore).toBeGreaterThan(3);

    const hide = await fay.send('/hide');
    expect(fay.screen()).toEqual(hide.replies);
    expect(texts(hide.replies)).toEqual([ui('hidden')]);
    expect(bot.api.callsOf('deleteMessages').at(-1)?.params.message_ids.length).toBeGreaterThanOrEqual(
      shownBefore,
    );
  });

  it('speaks the language Telegram reports until the person picks one', async () => {
    const gu = bot.api.user({ id: 7001, language_code: 'zh-hans' });
    const t = await gu.send('你好');
    expect(texts(t.replies).join('\n')).toContain('发生了什么？');
    await gu.send('/language en');
    const after = await gu.send('/help');
    expect(texts(after.replies).join('\n')).toContain('What happened?');
  });
});
