/**
 * Sharding with discord.js's ShardingManager: two shard processes log in to the fake gateway as
 * shards 0 and 1 of 2; a DM (always shard 0) and a slash command in the server (its owning
 * shard) are both answered; stop() ends both processes.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { recommendedShards, startShards } from '../../adapters/discord/shards.ts';
import { createLogger } from '../../src/index.ts';
import { type FakeDiscord, startFakeDiscord } from '../fakes/discord.ts';
import { DISCORD_FLOWS, view } from '../fakes/discord-harness.ts';

const frank = { id: '900000000000000006', username: 'frank' };
const saved = { ...process.env };
let fake: FakeDiscord;

beforeAll(async () => {
  fake = await startFakeDiscord();
  // What the operator sets; the manager hands its environment to each shard process.
  Object.assign(process.env, {
    DISCORD_API_ROOT: fake.apiRoot,
    SAFESTEP_STORE: 'memory:',
    SAFESTEP_FLOWS: DISCORD_FLOWS,
    LOG_LEVEL: 'warn',
  });
  delete process.env.TELEGRAM_BOT_TOKEN;
});

afterAll(async () => {
  process.env = saved;
  await fake.close();
});

it('runs one process per shard, each answering the events Discord routes to it', async () => {
  const shards = await startShards({
    token: 'shard-token',
    shards: 2,
    logger: createLogger({ level: 'silent' }),
    spawnDelayMs: 0,
  });
  try {
    expect(fake.gateway.identifies.map((i) => i.shard).sort()).toEqual([
      [0, 2],
      [1, 2],
    ]);
    let mark = fake.calls.length;
    fake.dm(frank, '/start job-offer');
    await fake.waitFor((c) => fake.calls.indexOf(c) >= mark && view(c).content.includes('abroad?'), 8000);
    mark = fake.calls.length;
    fake.slash(frank, 'safestep', [{ name: 'topic', value: 'job-offer' }]);
    const reply = await fake.waitFor(
      (c) => fake.calls.indexOf(c) >= mark && c.path.endsWith('/callback'),
      8000,
    );
    expect(view(reply).flags & 64).toBe(64);
  } finally {
    await shards.stop();
  }
}, 30_000);

it('asks the REST root it is given for the recommended count ("auto")', async () => {
  expect(await recommendedShards('shard-token', fake.apiRoot)).toBe(1);
});
