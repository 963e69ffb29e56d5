/**
 * SafeStep's real Telegram adapter (adapters/telegram) over the real engine and store, started in
 * webhook mode on a stand-in HTTP server, so it neither polls nor listens. Updates go in through
 * the adapter's `handleUpdate`, which is telegraf's `bot.handleUpdate` on the adapter's own bot,
 * exactly as for the peers (the webhook route would add telegraf's secret check and request
 * filter, which the peers skip). The outgoing limits are lifted: this measures the bot's own cost,
 * not Telegram's pace (the `limit` benchmark does that).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTelegram } from '../../adapters/telegram/index.ts';
import type { TgUpdate } from '../../adapters/telegram/update.ts';
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
  const http = {
    port: 0,
    route: () => undefined,
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
  return {
    name: opts.store === 'sqlite' ? 'safestep-sqlite' : 'safestep-memory',
    engine,
    handle: (update: Update) => running.handleUpdate(update as unknown as TgUpdate),
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
