/**
 * SAFESTEP_STORE → a store: `sqlite:PATH` (default), `memory:`, or `redis://HOST:PORT[/DB]`.
 */
import type { Logger } from 'pino';
import { openMemoryStore } from './memory.ts';
import { openSqliteStore } from './sqlite.ts';
import type { SessionStore } from './types.ts';

export const DEFAULT_STORE = 'sqlite:./data/safestep.db';

export class StoreUrlError extends Error {
  override readonly name = 'StoreUrlError';
}

export interface OpenStoreOptions {
  /** Where a shared store reports losing and regaining its server. */
  logger?: Logger;
}

export async function openStore(
  url: string = DEFAULT_STORE,
  opts: OpenStoreOptions = {},
): Promise<SessionStore> {
  if (url === 'memory:' || url === 'memory') return openMemoryStore();
  if (url.startsWith('sqlite:')) return openSqliteStore(url.slice('sqlite:'.length) || './data/safestep.db');
  if (url.startsWith('redis://') || url.startsWith('rediss://')) {
    const { openRedisStore } = await import('./redis.ts');
    return openRedisStore(url, opts.logger ? { logger: opts.logger } : {});
  }
  throw new StoreUrlError(
    `SAFESTEP_STORE "${url}" is not one of sqlite:PATH, memory:, redis://HOST:PORT[/DB]`,
  );
}
