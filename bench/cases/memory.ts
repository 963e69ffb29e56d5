/**
 * (4) Memory. A bot is started and warmed up with a few conversations, then measured idle (after
 * a full collection); then 10,000 people each start a conversation and answer two questions, so
 * 10,000 conversations are live mid-way, and the bot is measured again. The difference is what
 * those conversations cost. Bytes per persisted session are read back from the store.
 */
import { buildContender } from '../contenders/build.ts';
import type { ContenderName } from '../contenders/contender.ts';
import { chatIds, collect } from '../lib/measure.ts';
import { People } from '../lib/people.ts';
import { percentile } from '../lib/stats.ts';
import { installStub, StubBotApi } from '../lib/stub-api.ts';

export interface MemoryArgs {
  contender: ContenderName;
  flowsDir: string;
  conversations: number;
  /** Updates handled at once while filling. */
  concurrency: number;
}

export interface MemoryResult {
  contender: ContenderName;
  conversations: number;
  idleRssMB: number;
  rssMB: number;
  rssAboveIdleMB: number;
  heapAboveIdleMB: number;
  bytesPerConversationRss: number;
  storedBytes: { p50: number; max: number };
}

const TURNS = 3;

export async function runMemory(args: MemoryArgs): Promise<MemoryResult> {
  const api = new StubBotApi();
  installStub(api);
  const bot = await buildContender(args.contender, args.flowsDir);
  const people = new People(api);
  const warm = chatIds(1, 20);
  for (let turn = 1; turn <= 5; turn++)
    await Promise.all(warm.map((id) => bot.handle(people.scriptTurn(id, turn))));
  const idle = await settledMemory();

  const ids = chatIds(2, args.conversations);
  for (let turn = 1; turn <= TURNS; turn++) {
    for (let i = 0; i < ids.length; i += args.concurrency) {
      await Promise.all(
        ids.slice(i, i + args.concurrency).map((id) => bot.handle(people.scriptTurn(id, turn))),
      );
    }
  }
  const live = await settledMemory();
  const sample = ids.filter((_, i) => i % 10 === 0);
  const stored = await Promise.all(sample.map((id) => bot.storedBytes(id)));
  const result: MemoryResult = {
    contender: args.contender,
    conversations: args.conversations,
    idleRssMB: idle.rss / 2 ** 20,
    rssMB: live.rss / 2 ** 20,
    rssAboveIdleMB: (live.rss - idle.rss) / 2 ** 20,
    heapAboveIdleMB: (live.heapUsed - idle.heapUsed) / 2 ** 20,
    bytesPerConversationRss: (live.rss - idle.rss) / args.conversations,
    storedBytes: { p50: percentile(stored, 50), max: Math.max(...stored) },
  };
  await bot.close();
  return result;
}

/** Memory after full collections, once what is left is what is kept. */
async function settledMemory(): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 3; i++) {
    collect();
    await new Promise((r) => setTimeout(r, 50));
  }
  return process.memoryUsage();
}
