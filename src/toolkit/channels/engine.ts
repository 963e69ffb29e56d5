/**
 * The engine in-process, with a memory store: the channel `npm test` and `safestep test` use.
 * Presses buttons as an adapter would, echoing the stamp of the message that offered them.
 */
import type { Bundle } from '../../flow/bundle.ts';
import {
  createEngine,
  type Engine,
  type Inbound,
  openStore,
  type TraceStep,
  type TurnResult,
} from '../../index.ts';
import { createLogger } from '../../log.ts';
import type { Action } from '../convo.ts';
import type { Observed } from '../observed.ts';
import type { Channel, Hints } from '../runner.ts';

export interface EngineChannel extends Channel {
  readonly engine: Engine;
}

export function toInbound(
  user: string,
  action: Action,
  hints: Hints,
  channel: string,
  stamp?: string,
): Inbound {
  const base = {
    user,
    channel,
    locale: hints.locale,
    ...(hints.region !== undefined ? { region: hints.region } : {}),
  };
  if (action.kind === 'choose')
    return { ...base, kind: 'choice', choice: action.id, ...(stamp ? { stamp } : {}) };
  if (action.kind === 'command')
    return {
      ...base,
      kind: 'command',
      command: action.command,
      ...(action.flow ? { flow: action.flow } : {}),
    };
  return { ...base, kind: 'text', text: action.text, ...(action.forwarded ? { forwarded: true } : {}) };
}

export function observeTurn(r: TurnResult): Observed {
  return {
    replies: r.replies.map((rep) => ({ text: rep.text, choices: rep.choices ?? [] })),
    flow: r.flow,
    state: r.state,
    risk: r.risk.level,
    flags: [...r.risk.flags],
    outcome: r.outcome
      ? {
          level: r.outcome.level,
          steps: [...r.outcome.steps],
          resources: [...new Set(r.outcome.resources.map((x) => x.id))],
        }
      : null,
  };
}

export async function openEngineChannel(
  bundle: Bundle,
  trace?: (step: TraceStep) => void,
): Promise<EngineChannel> {
  const store = await openStore('memory:');
  const logger = createLogger({ level: 'silent' });
  // No rate limit: a long script is not a flood.
  const engine = createEngine({ bundle, store, logger, rateLimitPerMinute: 0, ...(trace ? { trace } : {}) });
  /** The stamp of the latest message offering each choice, per user, as a chat client keeps it. */
  const stamps = new Map<string, Map<string, string>>();
  return {
    name: 'engine',
    engine,
    async send(user, action, hints) {
      const mine = stamps.get(user) ?? new Map<string, string>();
      stamps.set(user, mine);
      const stamp = action.kind === 'choose' ? mine.get(action.id) : undefined;
      const result = await engine.handle(toInbound(user, action, hints, 'test', stamp));
      for (const reply of result.replies) {
        for (const c of reply.choices ?? []) if (reply.stamp) mine.set(c.id, reply.stamp);
      }
      return observeTurn(result);
    },
    async close() {
      await engine.close();
    },
  };
}
