/**
 * SafeStep's real Telegram adapter (adapters/telegram) over the real engine and store. Updates go
 * in the way a webhook delivers them: the adapter registers its webhook route on the HTTP server
 * it is given, and this HTTP server is a stand-in that hands each update straight to that route
 * (telegraf's webhookCallback then calls bot.handleUpdate). No socket is involved either way.
 * The outgoing limits are lifted: this measures the bot's own cost, not Telegram's pace (the
 * `limit` benchmark does that).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTelegram } from '../../adapters/telegram/index.ts';
import {
  type Bundle,
  createEngine,
  createLogger,
  type Engine,
  type HttpServer,
  openStore,
} from '../../src/index.ts';
import type { Update } from '../lib/people.ts';
import { BOT_TOKEN } from '../lib/stub-api.ts';
import { type Contender, STUB_ROOT } from './contender.ts';

const HOOK_PATH = '/bench/telegram';
const SECRET = 'bench-secret';
const UNLIMITED = { perSecond: 1e12, privatePerSecond: 1e12, groupPerMinute: 1e12, chatBurst: 1e12 };

type Route = (req: unknown, res: unknown) => void | Promise<void>;

export interface SafeStepOptions {
  bundle: Bundle;
  store: 'memory' | 'sqlite';
  /** Engine options the benchmark varies (live actors). */
  liveActors?: number;
}

export async function buildSafeStep(opts: SafeStepOptions): Promise<Contender & { engine: Engine }> {
  const dir = opts.store === 'sqlite' ? mkdtempSync(join(tmpdir(), 'safestep-bench-')) : undefined;
  const store = await openStore(dir ? `sqlite:${join(dir, 'sessions.db')}` : 'memory:');
  const logger = createLogger({ level: 'silent' });
  const engine = createEngine({
    bundle: opts.bundle,
    store,
    logger,
    // The simulated people answer faster than anyone types: the per-person limit would refuse them.
    rateLimitPerMinute: 0,
    maxInflight: 1e9,
    ...(opts.liveActors !== undefined ? { liveActors: opts.liveActors } : {}),
  });
  let route: Route | undefined;
  const http = {
    port: 0,
    route: (_method: string, _path: string, handler: Route) => {
      route = handler;
    },
    addReadiness: () => undefined,
    close: async () => undefined,
  } as unknown as HttpServer;
  const running = await startTelegram({
    engine,
    logger,
    token: BOT_TOKEN,
    apiRoot: STUB_ROOT,
    webhook: { url: `https://bench.invalid${HOOK_PATH}`, secret: SECRET },
    http,
    limits: UNLIMITED,
  });
  if (!route) throw new Error('the Telegram adapter registered no webhook route');
  const deliver = route;
  const headers = { 'x-telegram-bot-api-secret-token': SECRET };
  return {
    name: opts.store === 'sqlite' ? 'safestep-sqlite' : 'safestep-memory',
    engine,
    async handle(update: Update) {
      const res = new StandInResponse();
      await deliver({ method: 'POST', url: HOOK_PATH, headers, body: update }, res);
      if (res.statusCode >= 300) throw new Error(`webhook answered ${res.statusCode}`);
    },
    async storedBytes(chatId) {
      const row = await store.load(`tg:${chatId}`);
      return row ? Buffer.byteLength(row.data, 'utf8') : 0;
    },
    async close() {
      await running.stop();
      await engine.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Just enough of http.ServerResponse for telegraf's webhook callback. */
class StandInResponse {
  statusCode = 200;
  writableEnded = false;
  headersSent = false;
  setHeader(): this {
    return this;
  }
  writeHead(status: number): this {
    this.statusCode = status;
    this.headersSent = true;
    return this;
  }
  end(): this {
    this.writableEnded = true;
    return this;
  }
}
