/**
 * (1) Per-update cost through bot.handleUpdate: N people hold the same 5-step conversation.
 * Throughput: each turn's updates for everyone are handled concurrently, as a busy webhook would
 * get them. Latency: the same conversation with one update in flight at a time, so a turn's time
 * is its own cost, not time spent queueing behind others.
 */
import { buildContender } from '../contenders/build.ts';
import type { Contender, ContenderName } from '../contenders/contender.ts';
import { chatIds, collect, timed } from '../lib/measure.ts';
import { People, SCRIPT_LENGTH } from '../lib/people.ts';
import { type ProfileSummary, profiled } from '../lib/profile.ts';
import { percentile } from '../lib/stats.ts';
import { installStub, StubBotApi } from '../lib/stub-api.ts';

export interface UpdatesArgs {
  contender: ContenderName;
  flowsDir: string;
  users: number;
  /** People holding the conversation an update at a time, for p50/p99 (default: users). */
  latencyUsers?: number;
  /** Profile the throughput pass (its figures then are not comparable). */
  profile?: boolean;
}

export interface UpdatesResult {
  contender: ContenderName;
  updates: number;
  perSecond: number;
  cpuUsPerUpdate: number;
  p50Us: number;
  p99Us: number;
  /** p50 of each script position (1 = /start). */
  p50ByTurnUs: number[];
  apiCallsPerUpdate: number;
  storedBytesP50: number;
  profile?: ProfileSummary;
}

export async function runUpdates(args: UpdatesArgs): Promise<UpdatesResult> {
  const api = new StubBotApi();
  installStub(api);
  const bot = await buildContender(args.contender, args.flowsDir);
  const people = new People(api);
  // The simulated people act (read the last message, press a button) before the clock starts.
  const wave = async (ids: number[], turn: number, clock?: { ms: number; cpuMs: number }) => {
    const updates = ids.map((id) => people.scriptTurn(id, turn));
    const span = await timed(() => Promise.all(updates.map((u) => bot.handle(u))).then(() => undefined));
    if (clock) {
      clock.ms += span.wallMs;
      clock.cpuMs += span.cpuMs;
    }
  };

  // Warm-up: a whole conversation for a group of its own.
  const warm = chatIds(1, args.latencyUsers ?? args.users);
  for (let turn = 1; turn <= SCRIPT_LENGTH; turn++) await wave(warm, turn);

  collect();
  const busy = chatIds(2, args.users);
  const callsBefore = api.callCount();
  const span = { ms: 0, cpuMs: 0 };
  const { profile } = await profiled(`updates-${args.contender}`, args.profile === true, async () => {
    for (let turn = 1; turn <= SCRIPT_LENGTH; turn++) await wave(busy, turn, span);
  });
  const updates = args.users * SCRIPT_LENGTH;
  const apiCalls = api.callCount() - callsBefore;

  collect();
  const quiet = chatIds(3, args.latencyUsers ?? args.users);
  const all: number[] = [];
  const byTurn: number[][] = [];
  for (let turn = 1; turn <= SCRIPT_LENGTH; turn++) {
    const times: number[] = [];
    for (const id of quiet) times.push(await oneUpdate(bot, people, id, turn));
    byTurn.push(times);
    all.push(...times);
  }
  const stored = await Promise.all(quiet.map((id) => bot.storedBytes(id)));
  await bot.close();
  return {
    contender: args.contender,
    updates,
    perSecond: updates / (span.ms / 1000),
    cpuUsPerUpdate: (span.cpuMs * 1000) / updates,
    p50Us: percentile(all, 50),
    p99Us: percentile(all, 99),
    p50ByTurnUs: byTurn.map((t) => percentile(t, 50)),
    apiCallsPerUpdate: apiCalls / updates,
    storedBytesP50: percentile(stored, 50),
    ...(profile ? { profile } : {}),
  };
}

async function oneUpdate(bot: Contender, people: People, id: number, turn: number): Promise<number> {
  const update = people.scriptTurn(id, turn);
  const t0 = performance.now();
  await bot.handle(update);
  return (performance.now() - t0) * 1000;
}
