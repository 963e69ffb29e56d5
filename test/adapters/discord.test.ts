/**
 * The real discord.js client against a local fake Discord (REST + gateway on 127.0.0.1) and the
 * real engine on a SQLite file.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerCommands } from '../../adapters/discord/commands.ts';
import { startDiscord } from '../../adapters/discord/index.ts';
import { createEngine, createLogger, type Engine, openStore } from '../../src/index.ts';
import { bundleOf, quietLogger, tempDir } from '../engine/helpers.ts';
import { type FakeDiscord, type RestCall, startFakeDiscord } from '../fakes/discord.ts';

interface Running {
  stop(): Promise<void>;
}

let fake: FakeDiscord;
let bot: Running | undefined;
let engine: Engine;
let dbFile: string;

const alice = { id: '900000000000000001', username: 'alice' };
const bob = { id: '900000000000000002', username: 'bob' };

async function boot(): Promise<void> {
  engine = createEngine({
    bundle: await bundleOf(),
    store: await openStore(`sqlite:${dbFile}`),
    logger: quietLogger,
  });
  bot = await startDiscord({
    engine,
    logger: process.env.DEBUG_DC ? createLogger({ level: 'debug' }) : quietLogger,
    token: 'test-token',
    applicationId: fake.appId,
    apiRoot: fake.apiRoot,
  });
}

async function shutdown(): Promise<void> {
  await bot?.stop();
  bot = undefined;
  await engine.close();
}

/** Buttons (custom_id → label) in a recorded call's message body. */
function buttons(c: RestCall): Map<string, string> {
  const body = (c.body as { data?: { components?: unknown[] }; components?: unknown[] }) ?? {};
  const rows = (body.data?.components ?? body.components ?? []) as {
    components: { custom_id: string; label: string }[];
  }[];
  return new Map(rows.flatMap((r) => r.components.map((b) => [b.custom_id, b.label] as const)));
}

function contentOf(c: RestCall): string {
  const body = c.body as { data?: { content?: string }; content?: string };
  return body.data?.content ?? body.content ?? '';
}

/** The next message the bot shows after `from` calls, with a button whose label matches. */
async function nextWithButton(from: number, label: RegExp): Promise<{ call: RestCall; id: string }> {
  const call = await fake.waitFor(
    (c) => fake.calls.indexOf(c) >= from && [...buttons(c).values()].some((l) => label.test(l)),
  );
  const id = [...buttons(call)].find(([, l]) => label.test(l))![0];
  return { call, id };
}

beforeEach(async () => {
  fake = await startFakeDiscord();
  dbFile = join(tempDir(), 'discord.db');
  await boot();
  await fake.ready();
});

afterEach(async () => {
  await shutdown();
  await fake.close();
});

describe('Discord adapter with the real discord.js client', () => {
  it('holds a whole DM conversation with button presses to an outcome', async () => {
    let mark = fake.calls.length;
    fake.dm(alice, '/start job-offer');
    let step = await nextWithButton(mark, /^Abroad$/);
    expect(contentOf(step.call)).toContain('Is the job in your country or abroad?');

    mark = fake.calls.length;
    fake.press(alice, step.id);
    // The pressed message loses its buttons, so it cannot be answered twice.
    const update = await fake.waitFor((c) => fake.calls.indexOf(c) >= mark && /callback$/.test(c.path));
    expect((update.body as { type: number }).type).toBe(7);
    expect(buttons(update).size).toBe(0);
    step = await nextWithButton(mark, /Yes, a fee/);

    mark = fake.calls.length;
    fake.press(alice, step.id);
    const outcome = await fake.waitFor(
      (c) => fake.calls.indexOf(c) >= mark && contentOf(c).includes('What to do now'),
    );
    expect(contentOf(outcome)).toContain("Don't pay anything.");
    expect([...buttons(outcome).values()]).toContain('Make a summary for the bank or police');
  });

  it('accepts typed choices in DMs', async () => {
    const mark = fake.calls.length;
    fake.dm(bob, '/start job-offer');
    await nextWithButton(mark, /^Abroad$/);
    const m2 = fake.calls.length;
    fake.dm(bob, '1');
    await nextWithButton(m2, /Yes, a fee/);
  });

  it('answers /safestep in a server ephemerally, then continues there and in DMs', async () => {
    let mark = fake.calls.length;
    fake.slash(alice, 'safestep', [{ name: 'topic', value: 'job-offer' }], 'zh-CN');
    const reply = await fake.waitFor((c) => fake.calls.indexOf(c) >= mark && /callback$/.test(c.path));
    const body = reply.body as { type: number; data: { flags: number; content: string } };
    expect(body.type).toBe(4);
    expect(body.data.flags & 64).toBe(64);
    expect(body.data.content).toContain('这份工作在国内还是国外');
    const abroad = [...buttons(reply)].find(([, l]) => l === '国外')![0];
    const toDm = [...buttons(reply)].find(([, l]) => l === '转到私信继续')![0];

    mark = fake.calls.length;
    fake.press(alice, abroad, { inGuild: true, ephemeral: true, locale: 'zh-CN' });
    const follow = await fake.waitFor(
      (c) => fake.calls.indexOf(c) >= mark && c.method === 'POST' && /^\/webhooks\//.test(c.path),
    );
    expect(((follow.body as { flags: number }).flags ?? 0) & 64).toBe(64);
    expect(contentOf(follow)).toContain('对方有没有要你先交钱');

    mark = fake.calls.length;
    fake.press(alice, toDm, { inGuild: true, ephemeral: true, locale: 'zh-CN' });
    await fake.waitFor((c) => fake.calls.indexOf(c) >= mark && c.path === '/users/@me/channels');
    const dm = await fake.waitFor(
      (c) => fake.calls.indexOf(c) >= mark && /^\/channels\/\d+\/messages$/.test(c.path),
    );
    // The DM continues the same conversation, at the same question.
    expect(contentOf(dm)).toContain('对方有没有要你先交钱');
  });

  it('answers an old button kindly without acting on it', async () => {
    let mark = fake.calls.length;
    fake.dm(alice, '/start job-offer');
    const first = await nextWithButton(mark, /^Abroad$/);
    const home = [...buttons(first.call)].find(([, l]) => l === 'At home')![0];
    mark = fake.calls.length;
    fake.press(alice, first.id);
    await nextWithButton(mark, /Yes, a fee/);
    mark = fake.calls.length;
    fake.press(alice, home);
    const kind = await fake.waitFor(
      (c) => fake.calls.indexOf(c) >= mark && contentOf(c).includes('earlier message'),
    );
    expect(contentOf(kind)).toContain('Did they ask you to pay anything first?');
  });

  it('resumes the conversation after the bot restarts', async () => {
    let mark = fake.calls.length;
    fake.dm(bob, '/start job-offer');
    const step = await nextWithButton(mark, /^Abroad$/);
    mark = fake.calls.length;
    fake.press(bob, step.id);
    await nextWithButton(mark, /Yes, a fee/);

    await shutdown();
    await boot();
    mark = fake.calls.length;
    fake.dm(bob, 'no');
    const next = await fake.waitFor(
      (c) => fake.calls.indexOf(c) >= mark && contentOf(c).includes('What to do now'),
    );
    expect(contentOf(next)).toContain('Be careful.');
  });

  it('delivers a reply once after a 429 from REST', async () => {
    fake.rateLimit(/^\/channels\/\d+\/messages$/, 1, 0.2);
    const mark = fake.calls.length;
    fake.dm(alice, '/start job-offer');
    await nextWithButton(mark, /^Abroad$/);
    await new Promise((r) => setTimeout(r, 300));
    const questions = fake.calls.filter(
      (c, i) => i >= mark && contentOf(c).includes('Is the job in your country or abroad?'),
    );
    expect(questions).toHaveLength(1);
  });

  it('registers the slash commands, globally or in one server', async () => {
    const bundle = await bundleOf();
    const n = await registerCommands({
      token: 't',
      applicationId: fake.appId,
      apiRoot: fake.apiRoot,
      guildId: fake.guildId,
      bundle,
    });
    const put = await fake.waitFor(
      (c) => c.method === 'PUT' && c.path === `/applications/${fake.appId}/guilds/${fake.guildId}/commands`,
    );
    expect(n).toBe(2);
    const names = (put.body as unknown as { name: string }[]).map((c) => c.name);
    expect(names).toEqual(['safestep', 'safestep-card']);
  });
});
