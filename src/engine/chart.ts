/**
 * The conversation statechart, run by xstate one event at a time as a pure step: the machine's own
 * transition (xstate's macrostep: guards, exit and entry, assign, eventless decisions) from one
 * snapshot to the next. No actor per conversation: a snapshot is a value the engine keeps with the
 * session, so resuming a conversation costs a resolve, not an actor's start and stop. The machine's
 * actions are all `assign` (nothing to execute, nothing spawned), so one inert scope serves every
 * conversation.
 */
import { type AnyActorScope, type AnyMachineSnapshot, createActor } from 'xstate';
import type { ConvoEvent, ConversationMachine } from '../flow/compile.ts';
import type { ConvoContext } from '../flow/context.ts';

export type Snapshot = AnyMachineSnapshot;

const RESTART: ConvoEvent = { type: 'RESTART' };

export interface Chart {
  /** A new conversation: the machine's initial state, with decisions at the entry settled. */
  start(locale: string, region: string | null): Snapshot;
  /** The snapshot of a stored conversation (always at rest: decisions were settled when it moved). */
  restore(flow: string, state: string, ctx: ConvoContext): Snapshot;
  /** One event; the very same snapshot back when no transition takes it. */
  send(snapshot: Snapshot, event: ConvoEvent): Snapshot;
}

export function chartOf(
  machine: ConversationMachine,
  input: { locale: string; region: string | null },
): Chart {
  // Never started: it only lends xstate a `self` and a system to the scope.
  const self = createActor(machine, { input });
  const noop = () => {};
  const scope: AnyActorScope = {
    self,
    id: '',
    sessionId: '',
    system: self.system,
    logger: noop,
    defer: noop,
    emit: noop,
    stopChild: noop,
    actionExecutor: noop,
  };
  const settled = (snapshot: Snapshot): Snapshot => {
    // xstate turns a throwing guard or action at start into an error snapshot: fail the turn instead.
    if (snapshot.status === 'error') throw snapshot.error;
    return snapshot;
  };
  // Snapshots are values (every step makes new ones; nothing assigns in place), so every new
  // conversation in one locale and region can begin from the same one: xstate builds it once.
  const start = oncePerPlace((locale, region) =>
    settled(machine.getInitialSnapshot(scope, { locale, region })),
  );
  // RESTART is a root transition whose `reset` keeps only locale and region, and no state has
  // exit or entry actions: from anywhere it lands where xstate puts it from the start. So xstate's
  // answer is worked out once per locale and region and shared (test/engine/chart.test.ts holds
  // it to xstate's answer from every state).
  const restarted = oncePerPlace(
    (locale, region) => machine.transition(start(locale, region) as never, RESTART, scope) as Snapshot,
  );
  const restart = (from: Snapshot): Snapshot => {
    const { locale, region } = from.context as ConvoContext;
    return restarted(locale, region);
  };
  const transition = (snapshot: Snapshot, event: ConvoEvent): Snapshot =>
    machine.transition(snapshot as never, event, scope);
  return {
    start,
    restore: (flow, state, ctx) => machine.resolveState({ value: { [flow]: state }, context: ctx }),
    send(snapshot, event) {
      if (event.type !== 'RESTART') return transition(snapshot, event);
      // The shared snapshot itself restarted is still a step taken: a new snapshot, as xstate makes.
      const shared = restart(snapshot);
      return shared === snapshot ? transition(snapshot, event) : shared;
    },
  };
}

/** The flow and state a snapshot is in (the machine's value is `{ flow: state }`). */
export function placeOf(snapshot: Snapshot): [string, string] {
  const value = snapshot.value as Record<string, string>;
  for (const flow in value) return [flow, value[flow]!];
  return ['', ''];
}

/** `make`, called once per locale and region; its snapshot is shared from then on. */
function oncePerPlace(
  make: (locale: string, region: string | null) => Snapshot,
): (locale: string, region: string | null) => Snapshot {
  const made = new Map<string, Snapshot>();
  return (locale, region) => {
    const key = `${locale}\0${region ?? ''}`;
    let snapshot = made.get(key);
    if (!snapshot) {
      snapshot = make(locale, region);
      made.set(key, snapshot);
    }
    return snapshot;
  };
}
