/**
 * A SafeStep Telegram bot as its own process, so a test can kill it (SIGKILL, as a crash or an OOM
 * kill would) in the middle of delivering a turn's replies.
 * Usage: node --import tsx test/fakes/telegram-bot-process.ts <apiRoot> <token> <sqlite:PATH> <flows dir>
 * Prints "ready" on stdout once polling has begun.
 */
import { startTelegram } from '../../adapters/telegram/index.ts';
import { createEngine, createLogger, loadBundle, openStore } from '../../src/index.ts';

const [apiRoot, token, store, flows] = process.argv.slice(2);
if (!apiRoot || !token || !store || !flows) throw new Error('usage: <apiRoot> <token> <store> <flows>');
const logger = createLogger({ level: 'warn' });
const engine = createEngine({
  bundle: await loadBundle(flows),
  store: await openStore(store),
  logger,
  rateLimitPerMinute: 0,
});
await startTelegram({ engine, logger, token, apiRoot });
process.stdout.write('ready\n');
