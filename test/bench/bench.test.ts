/**
 * The benchmarks measure what they say they measure: every bot really holds the conversation
 * (each answer is a button press on what the bot just asked, and the bot keeps state), the fake
 * Bot API of the limit benchmark refuses exactly what Telegram's limits refuse, and the report
 * marks a target missed when it is. No timing is asserted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildContender } from '../../bench/contenders/build.ts';
import type { ContenderName } from '../../bench/contenders/contender.ts';
import { LimitedBotApi } from '../../bench/lib/limited-bot-api.ts';
import { People, SCRIPT_LENGTH } from '../../bench/lib/people.ts';
import { installStub, StubBotApi } from '../../bench/lib/stub-api.ts';
import type { Results } from '../../bench/main.ts';
import { renderResults } from '../../bench/report.ts';

const FLOWS = 'test/fixtures/flows-basic';

describe('the contenders under the stubbed Bot API', () => {
  const api = new StubBotApi();
  let undo: () => void;
  beforeAll(() => {
    undo = installStub(api);
  });
  afterAll(() => undo());

  const stateful: ContenderName[] = ['wizard', 'grammy', 'safestep-memory', 'safestep-sqlite'];
  it.each(stateful)(
    '%s answers every step with buttons the next step presses, and keeps the conversation',
    async (name) => {
      const bot = await buildContender(name, FLOWS);
      const people = new People(api);
      const chats = [101, 102, 103];
      const kinds: string[] = [];
      for (let turn = 1; turn <= SCRIPT_LENGTH; turn++) {
        for (const chat of chats) {
          const update = people.scriptTurn(chat, turn);
          kinds.push(update.callback_query ? 'press' : 'text');
          await bot.handle(update);
        }
      }
      // /start, then four presses: each needed a keyboard the bot had just sent.
      expect(kinds).toEqual([...Array(3).fill('text'), ...Array(12).fill('press')]);
      for (const chat of chats) expect(await bot.storedBytes(chat)).toBeGreaterThan(0);
      await bot.close();
    },
  );

  it('the echo floor answers each message and keeps nothing', async () => {
    const bot = await buildContender('echo', FLOWS);
    const before = api.calls.get('sendMessage') ?? 0;
    const people = new People(api);
    for (let turn = 1; turn <= SCRIPT_LENGTH; turn++) await bot.handle(people.scriptTurn(201, turn));
    expect((api.calls.get('sendMessage') ?? 0) - before).toBe(SCRIPT_LENGTH);
    expect(await bot.storedBytes(201)).toBe(0);
  });
});

describe('the rate-limited fake Bot API', () => {
  let api: LimitedBotApi;
  beforeAll(async () => {
    api = await LimitedBotApi.start('1:test');
  });
  afterAll(() => api.close());

  const call = async (method: string, params: object) => {
    const res = await fetch(`${api.apiRoot}/bot1:test/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(params),
    });
    return {
      status: res.status,
      body: (await res.json()) as { ok: boolean; result?: unknown; parameters?: { retry_after: number } },
    };
  };

  it('accepts 30 new messages in a second, refuses the 31st with retry_after, and one a second per chat', async () => {
    const statuses: number[] = [];
    for (let chat = 1; chat <= 31; chat++)
      statuses.push((await call('sendMessage', { chat_id: chat, text: `m${chat}` })).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(30);
    const refused = await call('sendMessage', { chat_id: 99, text: 'late' });
    expect(refused.status).toBe(429);
    expect(refused.body.parameters?.retry_after).toBeGreaterThanOrEqual(1);
    // Edits and answers are not new messages.
    expect((await call('editMessageReplyMarkup', { chat_id: 1, message_id: 1 })).status).toBe(200);
    expect(api.chats.get(1)?.map((m) => m.text)).toEqual(['m1']);
    expect(api.chats.has(99)).toBe(false);
  });

  it('serves updates in order, 100 at most, and forgets those confirmed by a later offset', async () => {
    api.push(Array.from({ length: 150 }, (_, i) => ({ update_id: i + 1, message: { text: `u${i + 1}` } })));
    const first = (await call('getUpdates', { offset: 0, timeout: 0 })).body.result as {
      update_id: number;
    }[];
    expect(first.map((u) => u.update_id)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const next = (await call('getUpdates', { offset: 101, timeout: 0 })).body.result as {
      update_id: number;
    }[];
    expect(next[0]?.update_id).toBe(101);
    expect(api.pending()).toBe(50);
  });
});

describe('the report', () => {
  it('marks a target missed when the ratio falls short, and says what was not measured', () => {
    const run = (perSecond: number) => ({
      contender: 'wizard' as const,
      updates: 10,
      perSecond,
      cpuUsPerUpdate: 1,
      p50Us: 1,
      p99Us: 2,
      p50ByTurnUs: [1, 1, 1, 1, 1],
      apiCallsPerUpdate: 2,
      storedBytesP50: 100,
    });
    const results: Results = {
      updates: {
        at: '2026-01-01T00:00:00.000Z',
        seconds: 1,
        machine: {
          cpu: 'cpu',
          cores: 2,
          memoryGiB: 4,
          freeGiB: 2,
          node: 'v20',
          platform: 'linux',
          loadAtStart: 0,
        },
        flows: { dir: FLOWS },
        plan: {
          runs: 1,
          users: 10,
          latencyUsers: 10,
          contenders: ['wizard', 'safestep-memory', 'safestep-sqlite'],
          profile: [],
        },
        quick: false,
        data: {
          runs: { wizard: [run(1000)], 'safestep-memory': [run(1200)], 'safestep-sqlite': [run(500)] },
          profiles: {},
        },
      },
    };
    const md = renderResults(results);
    expect(md).toMatch(/SafeStep \(memory store\) throughput vs .*\| 1\.20× .*\| met \|/);
    expect(md).toMatch(/SafeStep \(SQLite\) throughput vs .*\| 0\.50× .*\| \*\*missed\*\* \|/);
    expect(md).toMatch(/6\. turns per second.*not measured/);
  });
});
