/**
 * The viral hour against Telegram's own limits: the fake Bot API refuses, as Telegram does, more
 * than 30 new messages in any rolling second and more than one a second in a chat. Everyone gets
 * every reply once and in order, the bot never makes Telegram refuse it, those still waiting for
 * a first answer go before anyone's second, and a 429 holds back every chat, not only the one
 * refused.
 */
import { afterAll, afterEach, expect, it } from 'vitest';
import { TELEGRAM_LIMITS } from '../../adapters/telegram/sender.ts';
import { FakeBotApi, type FakeUser } from '../fakes/telegram-bot-api.ts';
import { type Bot, removeTempDirs, startBot } from '../fakes/telegram-harness.ts';

const WHERE = 'Is the job in your country or abroad?';
const FEE = 'Did they ask you to pay anything first?';

let bot: Bot | undefined;
afterEach(async () => {
  await bot?.stop();
  await bot?.api.close();
  bot = undefined;
});
afterAll(removeTempDirs);

it('200 people writing at once each get every reply once and in order, within Telegram’s limits', async () => {
  const api = await FakeBotApi.start({ limits: { perSecond: 30, chatGapMs: 1000 }, waitMs: 60_000 });
  // Telegram's limits as the adapter ships them, except that this fake allows no burst in a chat.
  bot = await startBot({ api, adapter: { limits: { ...TELEGRAM_LIMITS, chatBurst: 1 } } });
  const people = Array.from({ length: 200 }, (_, i) => api.user({ id: 5000 + i, language_code: 'en' }));
  // One in ten, impatient, answers straight away without waiting for the question.
  const impatient = people.filter((_, i) => i % 10 === 0);
  const written = [
    ...people.map((p) => ({ p, updateId: p.push('/start job-offer'), reply: WHERE })),
    ...impatient.map((p) => ({ p, updateId: p.push('abroad'), reply: FEE })),
  ];
  await Promise.all(written.map((w) => api.handled(w.updateId)));

  for (const p of people) {
    const said = p.screen().filter((m) => m.from === 'bot');
    expect(said.map((m) => m.text)).toEqual(impatient.includes(p) ? [WHERE, FEE] : [WHERE]);
  }
  const sends = api.callsOf('sendMessage');
  expect(sends.filter((c) => c.status !== 200)).toEqual([]);
  // No rolling second held more than 30: the 31st message after any one came a second later or more.
  const at = sends.map((c) => c.at);
  for (let i = 30; i < at.length; i++) expect(at[i]! - at[i - 30]!).toBeGreaterThanOrEqual(1000);

  // Nobody still waiting for a first answer saw someone else get a second one first.
  const seqOf = (p: FakeUser, text: string) => p.screen().find((m) => m.text === text)!.seq;
  const lastFirst = Math.max(...people.map((p) => seqOf(p, WHERE)));
  for (const p of impatient) expect(seqOf(p, FEE)).toBeGreaterThan(lastFirst);

  // Telegram forgot an update (the offset passed it) only once its reply was out: a crash never loses one.
  for (const poll of api.callsOf('getUpdates')) {
    const forgotten = written.filter((w) => w.updateId < Number(poll.params.offset ?? 0));
    for (const w of forgotten) expect(seqOf(w.p, w.reply)).toBeLessThan(poll.seq);
  }
});

it('a 429 holds back every chat until its retry_after has passed, then the refused reply goes first', async () => {
  // Telegram's own pace, so one call is answered before the next leaves and arrival order is send order.
  bot = await startBot({ adapter: { limits: TELEGRAM_LIMITS } });
  const { api } = bot;
  api.failNext('sendMessage', 1, { status: 429, retryAfter: 1 });
  const amy = api.user({ id: 6001, language_code: 'en' });
  const amyWrote = amy.push('/start job-offer');
  await api.waitFor(() => api.callsOf('sendMessage').some((c) => c.status === 429), 'the refused reply');

  const others = [6002, 6003, 6004].map((id) => api.user({ id, language_code: 'en' }));
  const wrote = others.map((p) => p.push('/start job-offer'));
  await Promise.all([amyWrote, ...wrote].map((id) => api.handled(id)));

  const sends = api.callsOf('sendMessage').map((c) => [c.params.chat_id, c.status]);
  expect(sends.slice(0, 2)).toEqual([
    [6001, 429],
    [6001, 200],
  ]);
  expect(sends.slice(2).sort()).toEqual([
    [6002, 200],
    [6003, 200],
    [6004, 200],
  ]);
  for (const p of [amy, ...others])
    expect(
      p
        .screen()
        .filter((m) => m.from === 'bot')
        .map((m) => m.text),
    ).toEqual([WHERE]);
});
