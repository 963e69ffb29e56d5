/**
 * (6) The engine alone, memory store, one core: the same 5-step conversation as the adapter
 * benchmark (/start, then the first button of the newest prompt, four times), for many people at
 * once, in waves. Steady state: every person has had a whole conversation before timing starts,
 * so each stays decoded in memory (hot), unless liveActors is 0 (every turn rehydrates).
 */
import {
  type Bundle,
  createEngine,
  createLogger,
  type Inbound,
  loadBundle,
  openStore,
  type TurnResult,
} from '../../src/index.ts';
import { collect, timed } from '../lib/measure.ts';
import { SCRIPT_LENGTH } from '../lib/people.ts';
import { type ProfileSummary, profiled } from '../lib/profile.ts';

export interface EngineArgs {
  flowsDir: string;
  users: number;
  /** Whole conversations per person timed (after one untimed). */
  cycles: number;
  /** Turns handled at once. */
  concurrency: number;
  liveActors?: number;
  /** Profile the timed part (its figures then are not comparable). */
  profile?: boolean;
}

export interface EngineResult {
  turns: number;
  perSecond: number;
  cpuUsPerTurn: number;
  liveConversations: number;
  profile?: ProfileSummary;
}

/** The script through the engine: what the person does next, given the last result. */
export function nextInbound(user: string, turn: number, last: TurnResult | undefined): Inbound {
  if ((turn - 1) % SCRIPT_LENGTH === 0 || !last) return { user, kind: 'command', command: 'start' };
  const prompt = [...last.replies].reverse().find((r) => r.choices && r.choices.length > 0);
  const choice = prompt?.choices?.[0];
  if (!prompt || !choice) return { user, kind: 'text', text: 'ok' };
  return { user, kind: 'choice', choice: choice.id, ...(prompt.stamp ? { stamp: prompt.stamp } : {}) };
}

export async function runEngine(args: EngineArgs): Promise<EngineResult> {
  const bundle: Bundle = await loadBundle(args.flowsDir);
  const engine = createEngine({
    bundle,
    store: await openStore('memory:'),
    logger: createLogger({ level: 'silent' }),
    rateLimitPerMinute: 0,
    maxInflight: 1e9,
    ...(args.liveActors !== undefined ? { liveActors: args.liveActors } : {}),
  });
  const users = Array.from({ length: args.users }, (_, i) => `bench:${i}`);
  const last = new Map<string, TurnResult>();
  let turn = 0;
  const cycle = async () => {
    for (let k = 0; k < SCRIPT_LENGTH; k++) {
      turn++;
      for (let i = 0; i < users.length; i += args.concurrency) {
        await Promise.all(
          users.slice(i, i + args.concurrency).map(async (u) => {
            last.set(u, await engine.handle(nextInbound(u, turn, last.get(u))));
          }),
        );
      }
    }
  };
  await cycle();
  collect();
  const { value: span, profile } = await profiled(
    `engine-live${args.liveActors ?? 'default'}`,
    args.profile === true,
    () =>
      timed(async () => {
        for (let c = 0; c < args.cycles; c++) await cycle();
      }),
  );
  const turns = args.users * SCRIPT_LENGTH * args.cycles;
  const live = engine.liveConversations();
  await engine.close();
  return {
    turns,
    perSecond: turns / (span.wallMs / 1000),
    cpuUsPerTurn: (span.cpuMs * 1000) / turns,
    liveConversations: live,
    ...(profile ? { profile } : {}),
  };
}
