import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpServer, startHttp } from '../../src/http.ts';
import { createLogger } from '../../src/log.ts';
import { createMetrics } from '../../src/metrics.ts';
import { openRedisStore } from '../../src/store/redis.ts';
import type { SessionStore } from '../../src/store/types.ts';
import { engineFor, userOf } from '../engine/helpers.ts';
import { LogCapture } from './helpers.ts';
import { isTryAgain, JsonlBot, type Line } from './procs.ts';
import { PrivateRedis } from './redis-helpers.ts';

/**
 * Redis stopped and started again mid-conversation, on a private server we may kill (never the
 * shared one): the user hears "try again", nothing is half-applied, and afterwards no turn is lost.
 */
let redis: PrivateRedis;
beforeAll(async () => {
  redis = await PrivateRedis.start();
});
afterAll(async () => {
  await redis.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends the same turn until it is answered for real, as a user told "try again" would. */
async function retryUntilAnswered(
  send: () => Promise<Line>,
  ms = 8000,
): Promise<{ line: Line; tries: number }> {
  const deadline = Date.now() + ms;
  for (let tries = 1; ; tries++) {
    const line = await send();
    if (!isTryAgain(line) || Date.now() > deadline) return { line, tries };
    await sleep(100);
  }
}

describe('Redis unreachable mid-conversation', () => {
  it('a bot process answers "try again", keeps running, reconnects by itself and loses no turn', async () => {
    const url = `${redis.url}?prefix=outage-cli:`;
    const bot = new JsonlBot(url);
    const phone = '+44 7700 900123';
    try {
      expect((await bot.send({ user: 'amy', command: 'start', flow: 'job-offer' })).state).toBe('where');
      expect((await bot.send({ user: 'amy', choice: 'abroad' })).state).toBe('fee');

      await redis.kill();
      const during = [
        await bot.send({ user: 'amy', choice: 'paid_fee' }),
        await bot.send({ user: 'amy', text: `they called me from ${phone}` }),
        await bot.send({ user: 'bob', command: 'start', flow: 'job-offer' }),
      ];
      for (const line of during) expect(isTryAgain(line)).toBe(true);

      await redis.restart();
      const { line } = await retryUntilAnswered(() => bot.send({ user: 'amy', choice: 'paid_fee' }));
      // The conversation goes on from where it was before the outage.
      expect(line.state).toBe('high_risk');
      expect((await bot.send({ user: 'bob', command: 'start', flow: 'job-offer' })).state).toBe('where');
    } finally {
      expect(await bot.end()).toBe(0);
    }
    // Nothing of the refused turns was applied: start, abroad, paid_fee.
    const store = await openRedisStore(url);
    const amy = JSON.parse((await store.load('jsonl:amy'))!.data) as { state: string; turns: number };
    await store.close();
    expect(amy).toMatchObject({ state: 'high_risk', turns: 3 });
    // The failures were logged, without what the user wrote.
    expect(bot.logs).toContain('turn failed');
    expect(bot.logs).not.toContain('7700');
  });

  it('/readyz turns red while the store is down and green again after; /metrics counts it all', async () => {
    const store: SessionStore = await openRedisStore(redis.url, { prefix: 'outage-http:' });
    const metrics = createMetrics();
    const http: HttpServer = await startHttp({
      port: 0,
      host: '127.0.0.1',
      logger: createLogger({ destination: new LogCapture() }),
      metrics,
    });
    http.addReadiness('store', () => store.ping());
    metrics.registerQueueDepth(() => 2, 'telegram');
    const engine = await engineFor({ store, observe: (o) => metrics.observeTurn(o), rateLimitPerMinute: 0 });
    const base = `http://127.0.0.1:${http.port}`;
    const ready = async () => (await fetch(`${base}/readyz`)).status;
    try {
      const amy = userOf(engine, 'tg:1001');
      await amy.command('start', { flow: 'job-offer' });
      await amy.press('abroad');
      expect(await ready()).toBe(200);

      await redis.kill();
      expect(await ready()).toBe(503);
      expect(await (await fetch(`${base}/readyz`)).json()).toEqual({
        ready: false,
        checks: { store: false },
      });
      expect((await fetch(`${base}/healthz`)).status).toBe(200); // alive, just not ready
      const refused = await amy.press('paid_fee');
      expect(refused.state).toBeNull();

      await redis.restart();
      const deadline = Date.now() + 8000;
      while ((await ready()) !== 200 && Date.now() < deadline) await sleep(50);
      expect(await ready()).toBe(200);
      const after = await amy.press('paid_fee');
      expect(after.state).toBe('high_risk');

      const text = await (await fetch(`${base}/metrics`)).text();
      expect(text).toContain('safestep_turns_total{channel="unknown"} 4');
      expect(text).toMatch(/safestep_turn_duration_seconds_bucket\{le="[^"]+",channel="unknown"\} \d/);
      expect(text).toContain('safestep_flows_started_total{flow="job-offer"} 1');
      expect(text).toContain('safestep_outcomes_total{flow="job-offer",level="high"} 1');
      expect(text).toContain('safestep_errors_total{kind="store_unavailable"} 1');
      expect(text).toContain('safestep_live_conversations');
      expect(text).toContain('safestep_outgoing_queue_depth{queue="telegram"} 2');
      expect(text).toContain('process_cpu_user_seconds_total');
      expect(text).not.toContain('tg:1001');
    } finally {
      await engine.close();
      await http.close();
    }
  });
});
