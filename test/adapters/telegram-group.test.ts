/**
 * Groups: SafeStep answers only its commands, mentions of it and replies to it, never discusses a
 * person's case there, and offers a private chat through a deep link that opens the right flow.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
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

const deepLinks = (replies: { buttons: { url?: string }[][] }[]) =>
  replies.flatMap((m) => m.buttons.flat().map((b) => b.url));

describe('in a group', () => {
  it('stays silent unless addressed', async () => {
    const group = bot.api.group(-100_500);
    const amy = bot.api.user({ id: 1001, language_code: 'en' });
    const t = await group.send(amy, 'My cousin got a job offer in Bangkok, they want a training fee');
    expect(t.replies).toEqual([]);
    const other = await group.send(amy, '/help@SomeOtherBot');
    expect(other.replies).toEqual([]);
    expect(bot.api.callsOf('sendMessage')).toHaveLength(0);
  });

  it('answers a mention with a private-chat link, without discussing the case or storing anything', async () => {
    const group = bot.api.group(-100_501);
    const amy = bot.api.user({ id: 1002, language_code: 'en' });
    const t = await group.send(
      amy,
      `@${bot.api.me.username} they want me to pay a training fee for a job abroad`,
    );

    expect(t.replies).toHaveLength(1);
    const note = t.replies[0]!;
    expect(note.replyTo).toBeDefined();
    expect(deepLinks(t.replies)).toEqual([`https://t.me/${bot.api.me.username}`]);
    // Nothing of the engine's conversation: no questions, no flags, no advice, no buttons to answer.
    expect(note.text).not.toMatch(/fee|abroad|job|scam|⚠️/i);
    expect(note.buttons.flat().every((b) => b.callback_data === undefined)).toBe(true);
    expect(await bot.engine.store.load('tg:-100501')).toBeUndefined();
    expect(await bot.engine.store.load('tg:1002')).toBeUndefined();
  });

  it('turns /start job-offer into a deep link that opens that flow in private', async () => {
    const group = bot.api.group(-100_502);
    const bo = bot.api.user({ id: 1003, language_code: 'zh-hans' });
    const t = await group.send(bo, `/start@${bot.api.me.username} job-offer`);
    const [link] = deepLinks(t.replies);
    expect(link).toBe(`https://t.me/${bot.api.me.username}?start=job-offer`);
    expect(t.replies[0]?.text).toMatch(/\p{Script=Han}/u);

    // Following the link: Telegram sends "/start job-offer" in the private chat.
    const payload = new URL(link!).searchParams.get('start')!;
    const opened = await bo.start(payload);
    expect(opened.replies.map((m) => m.text)).toEqual(['这份工作在国内还是国外？']);
  });

  it('answers any button press in a group, and does nothing else with it', async () => {
    const group = bot.api.group(-100_504);
    const di = bot.api.user({ id: 1005, language_code: 'en' });
    const note = (await group.send(di, '/start')).replies[0]!;
    const sentBefore = bot.api.callsOf('sendMessage').length;
    const { id, body } = bot.api.callbackQuery(-100_504, { id: 1005 }, note, 'zd1i1|abroad');
    await bot.api.handled(bot.api.pushUpdate(body));
    expect(bot.api.answeredCount(id)).toBe(1);
    expect(bot.api.callsOf('sendMessage')).toHaveLength(sentBefore);
    expect(await bot.engine.store.load('tg:-100504')).toBeUndefined();
  });

  it('answers /help and a reply to its own message the same way', async () => {
    const group = bot.api.group(-100_503);
    const cy = bot.api.user({ id: 1004, language_code: 'en' });
    const help = await group.send(cy, '/help');
    expect(deepLinks(help.replies)).toHaveLength(1);
    const reply = await group.send(cy, 'how do I do that?', { replyTo: help.replies[0]! });
    expect(deepLinks(reply.replies)).toHaveLength(1);
  });
});
