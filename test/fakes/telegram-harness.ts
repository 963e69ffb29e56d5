/**
 * One SafeStep Telegram bot as a test runs it: the fake Bot API, the real engine on a real SQLite
 * file (or Redis), the real telegraf client through startTelegram, in polling or webhook mode.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningTelegram, startTelegram, type TelegramOptions } from '../../adapters/telegram/index.ts';
import {
  type Bundle,
  createEngine,
  createLogger,
  type Engine,
  type HttpServer,
  loadBundle,
  openStore,
  startHttp,
} from '../../src/index.ts';
import { LogCapture as LogLines } from '../ops/helpers.ts';
import { FakeBotApi, type FakeBotApiOptions } from './telegram-bot-api.ts';

export const TELEGRAM_FLOWS = 'test/fixtures/telegram-flows';
export const WEBHOOK_SECRET = 'hook-secret_42';

/** Keeps every log line: the same capture the ops tests use. */
export { LogLines };

export interface HarnessOptions {
  mode?: 'polling' | 'webhook';
  /** Reuse a Bot API (to restart the bot against the same Telegram). */
  api?: FakeBotApi;
  apiOptions?: FakeBotApiOptions;
  /** Store URL; default a fresh SQLite file. */
  store?: string;
  adapter?: Partial<TelegramOptions>;
}

export interface Bot {
  api: FakeBotApi;
  engine: Engine;
  running: RunningTelegram;
  http?: HttpServer;
  logs: LogLines;
  store: string;
  webhookUrl?: string;
  /** Stops the bot, its HTTP server and its engine; the Bot API and the SQLite file stay. */
  stop(): Promise<void>;
}

let bundle: Bundle | undefined;
const dirs: string[] = [];

export function freshSqlite(): string {
  const dir = mkdtempSync(join(tmpdir(), 'safestep-tg-'));
  dirs.push(dir);
  return `sqlite:${join(dir, 'sessions.db')}`;
}

export function removeTempDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export async function startBot(opts: HarnessOptions = {}): Promise<Bot> {
  const api = opts.api ?? (await FakeBotApi.start(opts.apiOptions));
  bundle ??= await loadBundle(TELEGRAM_FLOWS);
  const storeUrl = opts.store ?? freshSqlite();
  const logs = new LogLines();
  const logger = createLogger({ level: 'info', destination: logs });
  const store = await openStore(storeUrl);
  const engine = createEngine({ bundle, store, logger, rateLimitPerMinute: 0 });
  const http = opts.mode === 'webhook' ? await startHttp({ port: 0, host: '127.0.0.1', logger }) : undefined;
  const webhookUrl = http ? `http://127.0.0.1:${http.port}/telegram/hook` : undefined;
  const running = await startTelegram({
    engine,
    logger,
    token: api.token,
    apiRoot: api.apiRoot,
    // Generous limits: these tests are about behaviour, not Telegram's pace (sender tests cover that).
    limits: { perSecond: 1000, privatePerSecond: 1000, groupPerMinute: 60_000, chatBurst: 1000 },
    backoff: { baseMs: 50, maxMs: 500 },
    ...(http && webhookUrl ? { http, webhook: { url: webhookUrl, secret: WEBHOOK_SECRET } } : {}),
    ...opts.adapter,
  });
  return {
    api,
    engine,
    running,
    logs,
    store: storeUrl,
    ...(http ? { http } : {}),
    ...(webhookUrl ? { webhookUrl } : {}),
    async stop() {
      await running.stop();
      await http?.close();
      await engine.close();
    },
  };
}
