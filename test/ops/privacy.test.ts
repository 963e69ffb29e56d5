import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { openRedisStore } from '../../src/store/redis.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import type { SessionStore } from '../../src/store/types.ts';
import { engineFor, tempDir, userOf } from '../engine/helpers.ts';
import { LogCapture } from './helpers.ts';
import { flushPrefix, keysUnder, SHARED_URL, testPrefix } from './redis-helpers.ts';

/** What people type into a scam check: none of it may outlive /forget or reach a log line. */
const PERSONAL = {
  phone: '+44 7700 900123',
  email: 'jane.doe@example.com',
  wallet: '0x52908400098527886E0F7030069857D2E4169EE7',
  link: 'https://secure-payroll-verify.example.net/login?id=88213',
  token: '7104419332:AAH3kq9-Zx_secretBotToken42',
  name: 'Jane Marlowe',
  card: '4111 1111 1111 1111',
};
const USER = 'tg:4915112345678';

/** A conversation full of personal data: first message, evidence notes at an outcome, /check. */
async function chatFullOfSecrets(store: SessionStore, logger = createLogger({ level: 'silent' })) {
  const engine = await engineFor({ store, logger, rateLimitPerMinute: 0 });
  const u = userOf(engine, USER, { locale: 'en', region: 'UK' });
  await u.text(`Hi I am ${PERSONAL.name}, they called me from ${PERSONAL.phone} about a job`);
  await u.command('start', { flow: 'job-offer' });
  await u.press('abroad');
  await u.text(`they wrote to ${PERSONAL.email}, link ${PERSONAL.link}`);
  await u.press('no_fee');
  // At an outcome, free text goes into the evidence summary (kept in the session).
  await u.text(`I sent money to ${PERSONAL.wallet} with card ${PERSONAL.card}, token ${PERSONAL.token}`);
  await u.command('check', { arg: `pay ${PERSONAL.wallet} now, call ${PERSONAL.phone}` });
  await u.command('evidence');
  return { engine, u };
}

function leaks(haystack: string): string[] {
  const found = Object.entries(PERSONAL)
    .filter(([, v]) => haystack.includes(v))
    .map(([k]) => k);
  if (haystack.includes(USER.slice(3))) found.push('user id');
  return found;
}

/** Every key and value under a prefix, as one string. */
async function dumpRedis(prefix: string): Promise<string> {
  const r = new Redis(SHARED_URL);
  try {
    const parts: string[] = [];
    for (const key of await keysUnder(prefix)) {
      const type = await r.type(key);
      const value =
        type === 'hash'
          ? await r.hgetall(key)
          : type === 'zset'
            ? await r.zrange(key, 0, -1)
            : type === 'string'
              ? await r.get(key)
              : type;
      parts.push(key, JSON.stringify(value));
    }
    return parts.join('\n');
  } finally {
    r.disconnect();
  }
}

const prefixes: string[] = [];
afterAll(async () => {
  for (const p of prefixes) await flushPrefix(p);
});

describe('privacy operations', () => {
  it('/forget leaves no trace of the person in Redis; anonymous counters stay', async () => {
    const prefix = testPrefix('privacy');
    prefixes.push(prefix);
    const store = await openRedisStore(SHARED_URL, { prefix });
    const { engine, u } = await chatFullOfSecrets(store);
    // The session really held them (otherwise this test could not fail).
    expect(leaks(await dumpRedis(prefix))).toEqual(expect.arrayContaining(['wallet', 'card', 'user id']));

    const r = await u.command('forget');
    expect(r.effects).toContainEqual({ type: 'forgotten' });
    const after = await dumpRedis(prefix);
    expect(leaks(after)).toEqual([]);
    expect(after).toContain('flow_started:job-offer');
    await engine.close();
  });

  // FAILS TODAY: src/store/sqlite.ts leaves deleted rows in free pages and the WAL. Fix there:
  // `db.pragma('secure_delete = ON')` at open and `db.pragma('wal_checkpoint(TRUNCATE)')` after
  // delete and purge. Then drop `.fails`.
  it('/forget leaves no trace of the person in the SQLite file', async () => {
    const file = join(tempDir(), 'safestep.db');
    const store = openSqliteStore(file);
    const { engine, u } = await chatFullOfSecrets(store);
    await u.command('forget');
    const bytes = [file, `${file}-wal`]
      .filter(existsSync)
      .map((p) => readFileSync(p).toString('latin1'))
      .join('\n');
    await engine.close();
    expect(leaks(bytes)).toEqual([]);
  });

  it('logs never hold what people typed, their ids or numbers, also when turns fail', async () => {
    const capture = new LogCapture();
    const logger = createLogger({ level: 'trace', destination: capture });
    const prefix = testPrefix('privacy-logs');
    prefixes.push(prefix);
    const store = await openRedisStore(SHARED_URL, { prefix, logger });
    const { engine } = await chatFullOfSecrets(store, logger);
    // The store goes away: every turn now fails and is logged as an error.
    await store.close();
    const { u } = await chatFullOfSecrets(store, logger);
    expect(u.last?.state).toBeNull();
    await engine.close();

    const text = capture.text();
    expect(capture.lines().some((l) => l.msg === 'turn failed')).toBe(true);
    expect(leaks(text)).toEqual([]);
  });
});
