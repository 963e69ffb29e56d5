/**
 * What goes wrong between the bot and Telegram: rate limits, server errors, dropped connections, a
 * blocked bot, a restart in the middle of a conversation, an update delivered twice. The person
 * gets each reply once, and the conversation never moves twice.
 */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { FakeBotApi, postWebhook } from '../fakes/telegram-bot-api.ts';
import {
  type Bot,
  freshSqlite,
  removeTempDirs,
  startBot,
  WEBHOOK_SECRET,
} from '../fakes/telegram-harness.ts';

const running: Bot[] = [];
const apis: FakeBotApi[] = [];
afterEach(async () => {
  for (const b of running.splice(0)) await b.stop();
  for (const a of apis.splice(0)) await a.close();
});
afterAll(removeTempDirs);

async function bot(opts: Parameters<typeof startBot>[0] = {}): Promise<Bot> {
  const b = await startBot(opts);
  running.push(b);
  if (!apis.includes(b.api)) apis.push(b.api);
  return b;
}

const sent = (b: Bot, text: string) =>
  b.api.callsOf('sendMessage').filter((c) => c.status === 200 && c.params.text === text);

describe('outgoing failures', () => {
  it('a 429 on sendMessage waits its retry_after, then the reply arrives exactly once', async () => {
    const b = await bot();
    b.api.failNext('sendMessage', 1, { status: 429, retryAfter: 1 });
    const amy = b.api.user({ id: 1001, language_code: 'en' });
    const t = await amy.start('job-offer');

    const question = 'Is the job in your country or abroad?';
    expect(t.replies.map((m) => m.text)).toEqual([question]);
    expect(amy.screen().filter((m) => m.text === question)).toHaveLength(1);
    const tries = b.api.callsOf('sendMessage');
    expect(tries.map((c) => c.status)).toEqual([429, 200]);
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(950);
    expect(b.logs.text()).toContain('telegram asked to slow down');
  });

  it('a 429 on answering a button is retried, so the spinner always stops', async () => {
    const b = await bot();
    const amy = b.api.user({ id: 1002, language_code: 'en' });
    await amy.start('job-offer');
    b.api.failNext('answerCallbackQuery', 1, { status: 429, retryAfter: 1 });
    const t = await amy.press('Abroad');
    expect(b.api.answeredCount(t.queryId)).toBe(1);
    expect(t.replies.map((m) => m.text)).toEqual(['Did they ask you to pay anything first?']);
  });

  it('5xx answers and dropped connections are retried with backoff; the reply still arrives once', async () => {
    const b = await bot();
    const amy = b.api.user({ id: 1003, language_code: 'en' });
    b.api.failNext('sendMessage', 2, { status: 502 });
    b.api.failNext('sendMessage', 1, { network: true });
    const t = await amy.start('job-offer');
    expect(t.replies.map((m) => m.text)).toEqual(['Is the job in your country or abroad?']);
    expect(b.api.callsOf('sendMessage').map((c) => c.status)).toEqual([502, 502, 0, 200]);
  });

  it('a person who blocked the bot costs one call, and others are still served', async () => {
    const b = await bot();
    const gone = b.api.user({ id: 1004, language_code: 'en' });
    const stays = b.api.user({ id: 1005, language_code: 'en' });
    b.api.failNext('sendMessage', 1, { status: 403, description: 'Forbidden: bot was blocked by the user' });
    await gone.send('hi');
    expect(b.api.callsOf('sendMessage').map((c) => c.status)).toEqual([403]);
    const t = await stays.start('job-offer');
    expect(t.replies).toHaveLength(1);
  });

  it('stop() lets queued replies go out before it resolves', async () => {
    const b = await bot();
    const amy = b.api.user({ id: 1006, language_code: 'en' });
    b.api.failNext('sendMessage', 1, { status: 429, retryAfter: 1 });
    amy.push('/start job-offer');
    await b.api.waitFor(() => b.api.callsOf('sendMessage').length > 0, 'the first (limited) send');
    expect(b.running.queueDepth()).toBeGreaterThan(0);
    await b.running.stop();
    expect(sent(b, 'Is the job in your country or abroad?')).toHaveLength(1);
    expect(b.running.queueDepth()).toBe(0);
  });
});

describe('polling failures', () => {
  it('a 429 on getUpdates is waited out, and messages still get their replies', async () => {
    const api = await FakeBotApi.start();
    apis.push(api);
    api.failNext('getUpdates', 1, { status: 429, retryAfter: 1 });
    const b = await bot({ api });
    const t = await b.api.user({ id: 1101, language_code: 'en' }).start('job-offer');
    expect(t.replies.map((m) => m.text)).toEqual(['Is the job in your country or abroad?']);
    expect(b.api.callsOf('getUpdates')[0]?.status).toBe(429);
  });

  it('another process polling the same bot (409) stops polling with a log line that says so', async () => {
    const api = await FakeBotApi.start();
    apis.push(api);
    api.failNext('getUpdates', 1, {
      status: 409,
      description: 'Conflict: terminated by other getUpdates request',
    });
    const b = await bot({ api });
    await vi.waitFor(() => expect(b.logs.text()).toContain('409 means another process polls this bot'));
    expect(b.api.callsOf('getUpdates').map((c) => c.status)).toEqual([409]);
  });
});

describe('restarts and redelivery', () => {
  it('a new bot process on the same SQLite file resumes mid-conversation, even from an old message', async () => {
    const api = await FakeBotApi.start();
    apis.push(api);
    const store = freshSqlite();
    const first = await startBot({ api, store });
    const amy = api.user({ id: 2001, language_code: 'en' });
    await amy.start('job-offer');
    await first.stop();

    // Written while no bot runs: Telegram keeps it until the next process asks.
    const waiting = amy.push('abroad');
    const second = await bot({ api, store });
    await api.handled(waiting);
    expect(amy.lastBotMessage()?.text).toBe('Did they ask you to pay anything first?');

    // Buttons sent by the first process still work: they carry everything they need.
    const outcome = await amy.press('Yes, a fee');
    expect(outcome.replies.map((m) => m.text).join('\n')).toContain('This is how the scam works.');
    expect((await second.engine.store.load('tg:2001'))?.data).toContain('high_risk');
  });

  it('an update delivered twice moves the conversation once and is answered both times', async () => {
    const b = await bot({ mode: 'webhook' });
    const amy = b.api.user({ id: 3001, language_code: 'en' });
    const first = await amy.start('job-offer');
    const where = first.replies[0]!;
    const press = b.api.callbackQuery(
      3001,
      { id: 3001, language_code: 'en' },
      where,
      where.buttons[0]![0]!.callback_data!,
    );
    const update = { update_id: 77_001, ...press.body };
    const seq = async () => (JSON.parse((await b.engine.store.load('tg:3001'))!.data) as { seq: number }).seq;
    const start = await seq();

    expect((await postWebhook(b.webhookUrl!, update, WEBHOOK_SECRET)).status).toBe(200);
    expect(await seq()).toBe(start + 1);
    // Telegram sends it again (say our 200 was lost): applied a second time it would be a stale press.
    const since = b.api.mark();
    expect((await postWebhook(b.webhookUrl!, update, WEBHOOK_SECRET)).status).toBe(200);
    expect(await seq()).toBe(start + 1);

    const again = b.api.botMessagesSince(3001, since).map((m) => m.text);
    expect(again).toEqual(['Did they ask you to pay anything first?']);
    expect(sent(b, 'Did they ask you to pay anything first?')).toHaveLength(2);
  });
});
