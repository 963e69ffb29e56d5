/**
 * Webhook mode: the fake Bot API delivers updates to the bot's route on the shared HTTP server, as
 * Telegram does, with the secret header. Requests without the right secret change nothing.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startTelegram, TelegramConfigError } from '../../adapters/telegram/index.ts';
import { createEngine, createLogger, loadBundle, openStore, startHttp } from '../../src/index.ts';
import { FakeBotApi, postWebhook } from '../fakes/telegram-bot-api.ts';
import {
  type Bot,
  LogLines,
  removeTempDirs,
  startBot,
  TELEGRAM_FLOWS,
  WEBHOOK_SECRET,
} from '../fakes/telegram-harness.ts';

const open: Bot[] = [];
afterEach(async () => {
  for (const b of open.splice(0)) {
    await b.stop();
    await b.api.close();
  }
});
afterAll(removeTempDirs);

async function webhookBot(): Promise<Bot> {
  const bot = await startBot({ mode: 'webhook' });
  open.push(bot);
  return bot;
}

describe('webhook mode', () => {
  it('sets the webhook with its secret, never polls, and answers /healthz beside it', async () => {
    const bot = await webhookBot();
    expect(bot.api.webhook).toEqual({
      url: bot.webhookUrl,
      secret: WEBHOOK_SECRET,
      allowed_updates: ['message', 'callback_query'],
    });
    expect(bot.api.callsOf('getUpdates')).toHaveLength(0);
    const health = await fetch(`http://127.0.0.1:${bot.http!.port}/healthz`);
    expect(health.status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${bot.http!.port}/metrics`)).text();
    expect(metrics).toContain('safestep_outgoing_queue_depth{queue="telegram"} 0');
    expect(bot.logs.text()).not.toContain(WEBHOOK_SECRET);
  });

  it('carries a conversation with buttons and typed answers to an outcome', async () => {
    const bot = await webhookBot();
    const amy = bot.api.user({ id: 1001, language_code: 'en' });
    await amy.start('job-offer');
    const fee = await amy.press('Abroad');
    expect(fee.replies.map((m) => m.text)).toEqual(['Did they ask you to pay anything first?']);
    expect(bot.api.answeredCount(fee.queryId)).toBe(1);
    const outcome = await amy.send('yes');
    expect(outcome.replies.map((m) => m.text).join('\n')).toContain("Don't pay anything.");
    expect(bot.api.deliveries.every((d) => d.status === 200)).toBe(true);
    expect(bot.api.callsOf('getUpdates')).toHaveLength(0);
  });

  it('answers 403 to a missing or wrong secret, and nothing changes', async () => {
    const bot = await webhookBot();
    const amy = bot.api.user({ id: 2001, language_code: 'en' });
    const first = await amy.start('job-offer');
    const before = await bot.engine.store.load('tg:2001');
    const sentBefore = bot.api.callsOf('sendMessage').length;

    const press = bot.api.callbackQuery(
      2001,
      { id: 2001, first_name: 'Amy' },
      first.replies[0]!,
      first.replies[0]!.buttons[0]![0]!.callback_data!,
    );
    const forged = { update_id: 99_001, ...press.body };
    expect((await postWebhook(bot.webhookUrl!, forged)).status).toBe(403);
    expect((await postWebhook(bot.webhookUrl!, forged, 'wrong-secret')).status).toBe(403);
    expect((await postWebhook(bot.webhookUrl!, forged, `${WEBHOOK_SECRET}x`)).status).toBe(403);

    expect(await bot.engine.store.load('tg:2001')).toEqual(before);
    expect(bot.api.callsOf('sendMessage')).toHaveLength(sentBefore);
    expect(bot.api.answeredCount(press.id)).toBe(0);
    expect(amy.lastBotMessage()?.buttons.length).toBeGreaterThan(0);

    // The same update with the secret is taken: the 403s above were the secret's doing.
    const ok = await postWebhook(bot.webhookUrl!, forged, WEBHOOK_SECRET);
    expect(ok.status).toBe(200);
    // webhookReply is off: nothing is smuggled into the HTTP answer, the call went to the API.
    expect(ok.body).toBe('');
    expect(bot.api.answeredCount(press.id)).toBe(1);
    expect((await bot.engine.store.load('tg:2001'))?.version).toBeGreaterThan(before!.version);
  });

  it('after stop, updates are refused with 503 so Telegram delivers them again later', async () => {
    const bot = await webhookBot();
    const amy = bot.api.user({ id: 3001, language_code: 'en' });
    await amy.start('job-offer');
    await bot.running.stop();
    const update = { update_id: 5, message: bot.api.userMessage(3001, { id: 3001 }, 'abroad') };
    expect((await postWebhook(bot.webhookUrl!, update, WEBHOOK_SECRET)).status).toBe(503);
  });
});

describe('refusing to start', () => {
  it('refuses webhook mode without a secret, with a bad secret, or without the HTTP server', async () => {
    const api = await FakeBotApi.start();
    const logs = new LogLines();
    const logger = createLogger({ destination: logs });
    const store = await openStore('memory:');
    const engine = createEngine({ bundle: await loadBundle(TELEGRAM_FLOWS), store, logger });
    const http = await startHttp({ port: 0, host: '127.0.0.1', logger });
    const base = { engine, logger, token: api.token, apiRoot: api.apiRoot };
    const url = `http://127.0.0.1:${http.port}/hook`;
    try {
      await expect(startTelegram({ ...base, http, webhook: { url } })).rejects.toThrow(
        /TELEGRAM_WEBHOOK_SECRET/,
      );
      await expect(startTelegram({ ...base, http, webhook: { url, secret: '' } })).rejects.toThrow(
        TelegramConfigError,
      );
      await expect(startTelegram({ ...base, http, webhook: { url, secret: 'has spaces!' } })).rejects.toThrow(
        /A-Z/,
      );
      await expect(startTelegram({ ...base, webhook: { url, secret: 'ok_secret' } })).rejects.toThrow(
        /HTTP server/,
      );
      // Refused before talking to Telegram at all; no route was mounted.
      expect(api.calls).toHaveLength(0);
      expect((await postWebhook(url, { update_id: 1 }, 'ok_secret')).status).toBe(404);
    } finally {
      await http.close();
      await engine.close();
      await api.close();
    }
  });

  it('refuses a token Telegram rejects, saying so without printing it', async () => {
    const api = await FakeBotApi.start();
    const store = await openStore('memory:');
    const logger = createLogger({ destination: new LogLines() });
    const engine = createEngine({ bundle: await loadBundle(TELEGRAM_FLOWS), store, logger });
    try {
      const err = await startTelegram({
        engine,
        logger,
        token: '999:wrong-token',
        apiRoot: api.apiRoot,
      }).catch((e: unknown) => e as Error);
      expect(err).toBeInstanceOf(TelegramConfigError);
      expect(String(err)).toMatch(/refused TELEGRAM_BOT_TOKEN \(401/);
      expect(String(err)).not.toContain('wrong-token');
    } finally {
      await engine.close();
      await api.close();
    }
  });
});
