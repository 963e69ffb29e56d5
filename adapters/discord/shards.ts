/**
 * Discord at scale: discord.js's own ShardingManager runs one process per gateway shard, each a
 * full SafeStep over the shared store (use Redis: SAFESTEP_STORE=redis://…). DISCORD_SHARDS sets
 * the count ("auto" asks Discord for its recommendation).
 */
import { join } from 'node:path';
import { ShardingManager } from 'discord.js';
import type { Logger } from '../../src/index.ts';

export async function startShards(opts: {
  token: string;
  shards: number | 'auto';
  logger: Logger;
}): Promise<{ stop(): Promise<void> }> {
  const manager = new ShardingManager(join(import.meta.dirname, 'shard-main.ts'), {
    token: opts.token,
    totalShards: opts.shards,
    execArgv: ['--import', 'tsx'],
    respawn: true,
  });
  manager.on('shardCreate', (shard) => opts.logger.info({ shard: shard.id }, 'discord shard started'));
  await manager.spawn();
  return {
    async stop() {
      await Promise.all([...manager.shards.values()].map((s) => s.kill()));
    },
  };
}
