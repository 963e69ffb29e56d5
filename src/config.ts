/**
 * The environment variables of DESIGN.md (a frozen contract), read and checked in one place.
 */
import { DEFAULT_STORE } from './store/open.ts';

export interface AppConfig {
  telegram?: { token: string; apiRoot?: string; webhook?: { url: string; secret?: string } };
  discord?: { token: string; applicationId?: string; apiRoot?: string; shards?: number | 'auto' };
  store: string;
  flowsDir: string;
  locale?: string;
  region?: string;
  port?: number;
  logLevel?: string;
  idleDays: number;
  retentionDays: number;
  rateLimitPerMinute: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const str = (k: string) => {
    const v = env[k]?.trim();
    return v ? v : undefined;
  };
  const num = (k: string, dflt: number) => {
    const v = str(k);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new ConfigError(`${k} must be a non-negative number, got "${v}"`);
    return n;
  };
  const tgToken = str('TELEGRAM_BOT_TOKEN');
  const webhookUrl = str('TELEGRAM_WEBHOOK_URL');
  const dcToken = str('DISCORD_BOT_TOKEN');
  const port = str('PORT');
  const shards = str('DISCORD_SHARDS');
  return {
    ...(tgToken
      ? {
          telegram: {
            token: tgToken,
            ...(str('TELEGRAM_API_ROOT') ? { apiRoot: str('TELEGRAM_API_ROOT')! } : {}),
            ...(webhookUrl
              ? {
                  webhook: {
                    url: webhookUrl,
                    ...(str('TELEGRAM_WEBHOOK_SECRET') ? { secret: str('TELEGRAM_WEBHOOK_SECRET')! } : {}),
                  },
                }
              : {}),
          },
        }
      : {}),
    ...(dcToken
      ? {
          discord: {
            token: dcToken,
            ...(str('DISCORD_APPLICATION_ID') ? { applicationId: str('DISCORD_APPLICATION_ID')! } : {}),
            ...(str('DISCORD_API_ROOT') ? { apiRoot: str('DISCORD_API_ROOT')! } : {}),
            ...(shards ? { shards: shards === 'auto' ? ('auto' as const) : num('DISCORD_SHARDS', 1) } : {}),
          },
        }
      : {}),
    store: str('SAFESTEP_STORE') ?? DEFAULT_STORE,
    flowsDir: str('SAFESTEP_FLOWS') ?? './flows',
    ...(str('SAFESTEP_LOCALE') ? { locale: str('SAFESTEP_LOCALE')! } : {}),
    ...(str('SAFESTEP_REGION') ? { region: str('SAFESTEP_REGION')! } : {}),
    ...(port ? { port: num('PORT', 0) } : {}),
    ...(str('LOG_LEVEL') ? { logLevel: str('LOG_LEVEL')! } : {}),
    idleDays: num('SAFESTEP_IDLE_DAYS', 7),
    retentionDays: num('SAFESTEP_RETENTION_DAYS', 30),
    rateLimitPerMinute: num('SAFESTEP_RATE_LIMIT', 30),
  };
}
