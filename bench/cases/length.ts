/**
 * (2) Flat with conversation length: N people each hold one conversation of 200 turns (the
 * 5-step script in cycles: /start starts over inside the same conversation). Turns are driven
 * for everyone at once, except the sampled ones (5, 10, 50, 100, 150, 200: all the same step of
 * the script, the outcome, so only the conversation's length differs), where each person's update is
 * handled and timed alone: the median of those is the cost of an update at that turn, untouched
 * by the others' garbage or a busy neighbour on the machine.
 */
import { buildContender } from '../contenders/build.ts';
import type { ContenderName } from '../contenders/contender.ts';
import { chatIds, collect, timed } from '../lib/measure.ts';
import { People, SCRIPT_LENGTH } from '../lib/people.ts';
import { median } from '../lib/stats.ts';
import { installStub, StubBotApi } from '../lib/stub-api.ts';

/**
 * Turn 5 ends the first cycle, where SafeStep also asks for the person's region (once, then it is
 * remembered); turn 10 ends the second, the first that follows the same path as every later one.
 */
export const SAMPLED_TURNS = [5, 10, 50, 100, 150, 200];

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
  /** Mean CPU microseconds per update at each sampled turn. */
  cpuUsPerUpdate: Record<number, number>;
  /** Bytes kept per conversation after each sampled turn (median over the people). */
  storedBytes: Record<number, number>;
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
  for (let turn = 1; turn <= args.turns; turn++) {
    if (!SAMPLED_TURNS.includes(turn) && turn !== args.turns) {
      await wave(ids, turn);
      continue;
    }
    // A full collection first, so the sampled turn does not pay for the garbage of those before it.
    collect();
    const updates = ids.map((id) => people.scriptTurn(id, turn));
    const times: number[] = [];
    const span = await timed(async () => {
      for (const update of updates) {
        const t0 = performance.now();
        await bot.handle(update);
        times.push((performance.now() - t0) * 1000);
      }
    });
    result.usPerUpdate[turn] = median(times);
    result.cpuUsPerUpdate[turn] = (span.cpuMs * 1000) / args.users;
    const sizes = await Promise.all(ids.slice(0, 20).map((id) => bot.storedBytes(id)));
    result.storedBytes[turn] = sizes.sort((a, b) => a - b)[sizes.length >> 1]!;
  }
  await bot.close();
  return result;
}
