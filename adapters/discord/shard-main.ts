/**
 * One shard's process, spawned by ShardingManager (shards.ts): the same Discord adapter, with
 * discord.js taking its shard id and count from the environment the manager sets.
 */
import { createEngine, createLogger, loadBundle, openStore, readConfig } from '../../src/index.ts';
import { installShutdown } from '../main.ts';
import { startDiscord } from './index.ts';

const config = readConfig();
const logger = createLogger({ level: config.logLevel ?? 'info' }).child({
  adapter: 'discord',
  shard: process.env.SHARDS,
});
const store = await openStore(config.store, { logger });
const engine = createEngine({ bundle: await loadBundle(config.flowsDir), store, logger });
const bot = await startDiscord({
  engine,
  logger,
  token: config.discord?.token ?? process.env.DISCORD_TOKEN ?? '',
  ...(config.discord?.apiRoot ? { apiRoot: config.discord.apiRoot } : {}),
});
installShutdown(async () => {
  await bot.stop();
  await engine.close();
}, logger);
