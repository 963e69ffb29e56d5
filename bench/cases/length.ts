/**
 * (2) Flat with conversation length: N people each hold one conversation of 200 turns (the
 * 5-step script in cycles: /start starts over inside the same conversation). Each turn's updates
 * are handled concurrently; the cost of an update at turn k is that wave's time divided by N.
 * Sampled at turns 5, 50, 100, 150 and 200, which are all the same step of the script (the
 * outcome), so only the conversation's length differs.
 */
import { buildContender } from '../contenders/build.ts';
import type { ContenderName } from '../contenders/contender.ts';
import { chatIds, collect, timed } from '../lib/measure.ts';
import { People, SCRIPT_LENGTH } from '../lib/people.ts';
import { installStub, StubBotApi } from '../lib/stub-api.ts';

export const SAMPLED_TURNS = [5, 50, 100, 150, 200];

export interface LengthArgs {
  contender: ContenderName;
  flowsDir: string;
  users: number;
  turns: number;
}

export interface LengthResult {
  contender: ContenderName;
  users: number;
  /** Microseconds of wall time per update at each sampled turn. */
  usPerUpdate: Record<number, number>;
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
    const sampled = SAMPLED_TURNS.includes(turn) || turn === args.turns;
    // A full collection before a sampled wave, so it does not pay for the waves before it.
    if (sampled) collect();
    const span = await timed(() => wave(ids, turn));
    if (!sampled) continue;
    result.usPerUpdate[turn] = (span.wallMs * 1000) / args.users;
    result.cpuUsPerUpdate[turn] = (span.cpuMs * 1000) / args.users;
    const sizes = await Promise.all(ids.slice(0, 20).map((id) => bot.storedBytes(id)));
    result.storedBytes[turn] = sizes.sort((a, b) => a - b)[sizes.length >> 1]!;
  }
  await bot.close();
  return result;
}
