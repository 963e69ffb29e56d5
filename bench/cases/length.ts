/**
 * (2) Flat with conversation length: N people each hold one conversation of 200 turns (the
 * 5-step script in cycles: /start starts over inside the same conversation). Turns are driven
 * for everyone at once, except the sampled ones (5, 10, 50, 100, 150, 200: all the same step of
 * the script, the outcome, so only the conversation's length differs), where each person's update
 * is handled alone and its CPU and elapsed time taken; the medians are the cost of an update at
 * that turn. Each sample pools the same step of three cycles (see pooledTurns).
 */
import { buildContender } from '../contenders/build.ts';
import type { ContenderName } from '../contenders/contender.ts';
import { chatIds, collect } from '../lib/measure.ts';
import { People, SCRIPT_LENGTH } from '../lib/people.ts';
import { median } from '../lib/stats.ts';
import { installStub, StubBotApi } from '../lib/stub-api.ts';

/**
 * Turn 5 ends the first cycle, where SafeStep also asks for the person's region (once, then it is
 * remembered); turn 10 ends the second, the first that follows the same path as every later one.
 */
export const SAMPLED_TURNS = [5, 10, 50, 100, 150, 200];

/**
 * The turns pooled into each sample: the sampled turn and the same step of the two cycles before
 * it (after it, for turn 10), so a sample spreads over three moments and one busy moment on the
 * machine cannot move it alone. Turn 5 has no earlier cycle: it is its own sample.
 */
export function pooledTurns(sample: number, turns: number): number[] {
  if (sample === 5) return [5];
  const window = sample === 10 ? [10, 15, 20] : [sample - 10, sample - 5, sample];
  return window.filter((t) => t <= turns);
}

export interface LengthArgs {
  contender: ContenderName;
  flowsDir: string;
  users: number;
  turns: number;
}

export interface LengthResult {
  contender: ContenderName;
  users: number;
  /** Median microseconds per update at each sampled turn (one update in flight). */
  usPerUpdate: Record<number, number>;
  /**
   * Median CPU microseconds per update at each sampled turn: the cost itself, which other work on
   * the machine does not inflate the way it inflates elapsed time.
   */
  cpuUsPerUpdate: Record<number, number>;
  /** Bytes kept per conversation after each sampled turn (median over the people). */
  storedBytes: Record<number, number>;
}

function push(into: Map<number, number[]>, key: number, value: number): void {
  const list = into.get(key) ?? [];
  list.push(value);
  into.set(key, list);
}

export async function runLength(args: LengthArgs): Promise<LengthResult> {
  const api = new StubBotApi();
  installStub(api);
  const bot = await buildContender(args.contender, args.flowsDir);
  const people = new People(api);
  const wave = (ids: number[], turn: number) =>
    Promise.all(ids.map((id) => bot.handle(people.scriptTurn(id, turn)))).then(() => undefined);

  // Warm-up, so turn 5 is not measured on colder code than turn 200.
  const warm = chatIds(1, args.users);
  for (let turn = 1; turn <= 4 * SCRIPT_LENGTH; turn++) await wave(warm, turn);
  collect();

  const ids = chatIds(2, args.users);
  const result: LengthResult = {
    contender: args.contender,
    users: args.users,
    usPerUpdate: {},
    cpuUsPerUpdate: {},
    storedBytes: {},
  };
  const samples = SAMPLED_TURNS.filter((t) => t <= args.turns);
  if (!samples.includes(args.turns)) samples.push(args.turns);
  const poolOf = new Map<number, number>();
  for (const sample of samples) for (const t of pooledTurns(sample, args.turns)) poolOf.set(t, sample);
  const times = new Map<number, number[]>();
  const cpu = new Map<number, number[]>();
  for (let turn = 1; turn <= args.turns; turn++) {
    const sample = poolOf.get(turn);
    if (sample === undefined) {
      await wave(ids, turn);
      continue;
    }
    // A full collection first, so the sampled turn does not pay for the garbage of those before it.
    collect();
    const updates = ids.map((id) => people.scriptTurn(id, turn));
    for (const update of updates) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await bot.handle(update);
      push(times, sample, (performance.now() - t0) * 1000);
      const c = process.cpuUsage(c0);
      push(cpu, sample, c.user + c.system);
    }
    if (turn === sample) {
      const sizes = await Promise.all(ids.slice(0, 20).map((id) => bot.storedBytes(id)));
      result.storedBytes[sample] = median(sizes);
    }
  }
  for (const sample of samples) {
    result.usPerUpdate[sample] = median(times.get(sample) ?? []);
    result.cpuUsPerUpdate[sample] = median(cpu.get(sample) ?? []);
  }
  await bot.close();
  return result;
}
