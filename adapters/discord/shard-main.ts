/**
 * One shard's process, spawned by ShardingManager (shards.ts): the same SafeStep as `npm start`
 * with only the Discord adapter, discord.js taking its shard id and count from the environment
 * the manager sets (SHARDS, SHARD_COUNT, DISCORD_TOKEN).
 */
import { createEngine, createLogger, loadBundle, openStore, readConfig } from '../../src/index.ts';
import { engineOptions, installShutdown } from '../main.ts';
import { startDiscord } from './index.ts';

// The manager hands the token over as DISCORD_TOKEN; the rest is the operator's environment.
const config = readConfig({
  ...process.env,
  DISCORD_BOT_TOKEN: process.env.DISCORD_TOKEN ?? process.env.DISCORD_BOT_TOKEN,
});
const shard = Number(process.env.SHARDS ?? 0);
const count = Number(process.env.SHARD_COUNT ?? 1);
const logger = createLogger({ level: config.logLevel ?? 'info' }).child({
  adapter: 'discord',
  process: `shard ${shard} of ${count}`,
});
if (count > 1 && shard === 0 && !config.store.startsWith('redis')) {
  logger.warn(
    { store: config.store.split(':')[0] },
    'several Discord shards share one store: use SAFESTEP_STORE=redis://… so every process sees each conversation',
  );
}
const store = await openStore(config.store, { logger: logger.child({ part: 'store' }) });
const engine = createEngine({
  bundle: await loadBundle(config.flowsDir),
  store,
  logger,
  ...engineOptions(config),
});
const bot = await startDiscord({
  engine,
  logger,
  token: config.discord?.token ?? '',
  ...(config.discord?.applicationId ? { applicationId: config.discord.applicationId } : {}),
  ...(config.discord?.apiRoot ? { apiRoot: config.discord.apiRoot } : {}),
});
installShutdown(async () => {
  await bot.stop();
  await engine.close();
}, logger);
