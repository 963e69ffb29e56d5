/**
 * Discord at scale: discord.js's own ShardingManager runs one process per gateway shard, each a
 * full SafeStep (shard-main.ts) on the shared store. DISCORD_SHARDS sets the count: a number, or
 * `auto` for Discord's recommendation (asked of DISCORD_API_ROOT when set). Past one shard, use a
 * store every process shares safely: SAFESTEP_STORE=redis://…. Discord sends every DM to shard 0
 * and a server's events to the shard that owns the server.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REST, Routes, ShardingManager } from 'discord.js';
import { type Logger, readConfig } from '../../src/index.ts';
import { restOptions } from './api-root.ts';

export interface ShardOptions {
  token: string;
  shards: number | 'auto';
  logger: Logger;
  apiRoot?: string;
  /** Between two shards' logins; Discord allows one IDENTIFY per 5 s (per concurrency bucket). */
  spawnDelayMs?: number;
}

/** Discord's recommended shard count, from the REST root the bot uses. */
export async function recommendedShards(token: string, apiRoot?: string): Promise<number> {
  const rest = new REST(restOptions(apiRoot)).setToken(token);
  const info = (await rest.get(Routes.gatewayBot())) as { shards?: number };
  return Math.max(1, info.shards ?? 1);
}

export async function startShards(opts: ShardOptions): Promise<{ stop(): Promise<void> }> {
  const apiRoot = opts.apiRoot ?? readConfig().discord?.apiRoot;
  const total = opts.shards === 'auto' ? await recommendedShards(opts.token, apiRoot) : opts.shards;
  const manager = new ShardingManager(join(import.meta.dirname, 'shard-main.ts'), {
    token: opts.token,
    totalShards: Math.max(1, Math.floor(total)),
    // The shard script is TypeScript, run as bin/safestep.js runs the rest: through tsx.
    execArgv: ['--import', import.meta.resolve('tsx')],
    respawn: true,
  });
  manager.on('shardCreate', (shard) => {
    opts.logger.info({ shard: shard.id, of: manager.totalShards }, 'discord shard started');
    shard.on('death', () => opts.logger.warn({ shard: shard.id }, 'discord shard exited'));
  });
  await manager.spawn({ amount: manager.totalShards, delay: opts.spawnDelayMs ?? 5_500, timeout: 60_000 });
  return {
    /** Each shard gets SIGTERM and shuts down gracefully (its turns in flight finish). */
    async stop() {
      const exits = [...manager.shards.values()].map((shard) => {
        const child = shard.process as ChildProcess | null;
        if (!child || child.exitCode !== null) return Promise.resolve();
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        shard.kill();
        return exited;
      });
      await Promise.all(exits);
    },
  };
}
