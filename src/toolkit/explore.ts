/**
 * Generated paths: walks the compiled statechart with xstate's graph utilities, feeding it every
 * event the flow data declares, and reports what an author must fix: states nobody can reach,
 * states from which no outcome can be reached (traps), states from which the emergency flow cannot
 * be opened. Unlike the load-time check, this walk evaluates guards, so a choice whose `when` can
 * never hold on the way there is seen for the dead end it is.
 */
import { type AnyMachineSnapshot, type AnyStateMachine, transition } from 'xstate';
import { getAdjacencyMap, getShortestPaths } from 'xstate/graph';
import type { Bundle } from '../flow/bundle.ts';
import { type ConvoEvent, flagRisk } from '../flow/compile.ts';
import type { ConvoContext } from '../flow/context.ts';
import { evalGuard, guardRefs } from '../flow/guards.ts';
import type { Flow, Guard } from '../flow/schema.ts';
import { choiceKey, decideKey, routeKey } from './transitions.ts';

export type Model = Pick<Bundle, 'config' | 'flows' | 'flags' | 'machine'>;

export interface Place {
  flow: string;
  state: string;
}

export const placeKey = (p: Place) => `${p.flow}.${p.state}`;
/** A transition of a flow, unique across flows: `job-offer|fee choice:paid`. */
export const takenKey = (flow: string, key: string) => `${flow}|${key}`;

/** The locale and region a walk starts with (as the platform would hint them). */
export interface WalkContext {
  locale: string;
  region: string | null;
}

export interface Edge {
  event: ConvoEvent;
  /** Situation reached. */
  to: string;
  /** Transitions this step takes (`takenKey`), decisions on the way included. */
  takes: string[];
}

/** A state together with the red flags recorded on the way: guards read flags. */
export interface Situation {
  key: string;
  place: Place;
  flags: string[];
  /** The shortest list of events from a fresh conversation to here (xstate's getShortestPaths). */
  events: ConvoEvent[];
  edges: Edge[];
}

export interface Walk {
  context: WalkContext;
  situations: Map<string, Situation>;
  /** Decision states passed through on the way (they never rest). */
  passed: Set<string>;
  /** Reachable situations from which no outcome can be reached with the flow's own transitions. */
  traps: Situation[];
  /** Reachable situations where /emergency does not open the emergency flow. */
  noEmergency: { situation: Situation; landed: Place }[];
}

/** Paths start with xstate's own init event; scripts and skeletons need only ours. */
function isFlowEvent(e: { type: string }): e is ConvoEvent {
  return !e.type.startsWith('xstate.');
}

function placeOf(snap: AnyMachineSnapshot): Place {
  const [flow, state] = Object.entries(snap.value as Record<string, string>)[0] ?? ['', ''];
  return { flow, state: String(state) };
}

function contextOf(snap: AnyMachineSnapshot): ConvoContext {
  return snap.context as ConvoContext;
}

/**
 * A situation is a state plus what the guards still ahead of it will see: the truth of every guard
 * on a choice or decision reachable from that state (across hand-offs). Flags no guard ahead reads
 * cannot change where the conversation can go, so arrivals that differ only in them are one
 * situation: the walk stays small however many flags a flow records. (Serializing the raw flags
 * makes a flow that records 17 flags explode into 2^17 situations.)
 */
export function situationSerializer(
  model: Pick<Bundle, 'flows' | 'flags'>,
): (snap: AnyMachineSnapshot) => string {
  const live = liveGuards(model);
  return (snap) => {
    const place = placeOf(snap);
    const ctx = contextOf(snap);
    const guards = live.get(placeKey(place)) ?? [];
    const risk = flagRisk(ctx.flags, model);
    const seen = guards.map((g) => (evalGuard(g, ctx, risk) ? '1' : '0')).join('');
    return JSON.stringify([snap.value, seen]);
  };
}

/** For each state, the distinct guards on choices and decisions reachable from it (itself included). */
export function liveGuards(model: Pick<Bundle, 'flows'>): Map<string, Guard[]> {
  const own = new Map<string, Map<string, Guard>>();
  const next = new Map<string, string[]>();
  for (const flow of model.flows.values()) {
    for (const [sid, state] of Object.entries(flow.states)) {
      const key = placeKey({ flow: flow.id, state: sid });
      const guards = new Map<string, Guard>();
      for (const g of [
        ...(state.choices ?? []).map((c) => c.when),
        ...(state.decide ?? []).map((d) => d.when),
      ]) {
        if (g) guards.set(JSON.stringify(g), g);
      }
      own.set(key, guards);
      const targets = [...(state.choices ?? []), ...(state.routes ?? []), ...(state.decide ?? [])]
        .map((t) => resolveTarget(model, flow.id, t))
        .filter((p): p is Place => p !== undefined)
        .map(placeKey);
      next.set(key, targets);
    }
  }
  // Backwards until nothing changes: a state sees its own guards and those of every state after it.
  const live = new Map([...own].map(([k, g]) => [k, new Map(g)]));
  for (let changed = true; changed; ) {
    changed = false;
    for (const [key, targets] of next) {
      const mine = live.get(key)!;
      for (const t of targets) {
        for (const [id, g] of live.get(t) ?? []) {
          if (!mine.has(id)) {
            mine.set(id, g);
            changed = true;
          }
        }
      }
    }
  }
  return new Map(
    [...live].map(([k, g]) => [k, [...g.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, x]) => x)]),
  );
}

/** What each named guard of src/flow/guards.ts reads, so walks vary exactly that. */
const NAMED_GUARD_READS: Record<string, 'region' | 'locale' | 'any-flag'> = {
  region_known: 'region',
  chinese_locale: 'locale',
  has_flags: 'any-flag',
};

/** The events a state declares: its choices and its routes. */
export function localEvents(model: Pick<Bundle, 'flows'>, place: Place): ConvoEvent[] {
  const state = model.flows.get(place.flow)?.states[place.state];
  if (!state) return [];
  return [
    ...(state.choices ?? []).map((c): ConvoEvent => ({ type: 'CHOOSE', id: c.id })),
    ...(state.routes ?? []).map((r): ConvoEvent => ({ type: 'ROUTE', intent: r.intent })),
  ];
}

export function isOutcome(model: Pick<Bundle, 'flows'>, p: Place): boolean {
  return Boolean(model.flows.get(p.flow)?.states[p.state]?.outcome);
}

/** Which (locale, region) starts change what guards see; one walk each is enough. */
export function walkContexts(model: Pick<Bundle, 'config' | 'flows'>): WalkContext[] {
  const regions = new Set<string | null>([null]);
  const locales = new Set<string>([model.config.defaultLocale]);
  for (const flow of model.flows.values()) {
    for (const g of flowGuards(flow)) {
      const refs = guardRefs(g);
      for (const r of refs.regions) regions.add(r);
      for (const l of refs.locales) locales.add(l);
      for (const n of refs.named) {
        const reads = NAMED_GUARD_READS[n];
        // region_known tells "unknown or default" from "known": one known region is enough.
        if (reads === 'region')
          regions.add(Object.keys(model.config.regions).find((r) => r !== 'default') ?? null);
        if (reads === 'locale' || reads === undefined) for (const l of model.config.locales) locales.add(l);
        if (reads === undefined) for (const r of Object.keys(model.config.regions)) regions.add(r);
      }
    }
  }
  return [...locales].flatMap((locale) => [...regions].map((region) => ({ locale, region })));
}

function flowGuards(flow: Flow) {
  return Object.values(flow.states).flatMap((s) => [
    ...(s.choices ?? []).flatMap((c) => (c.when ? [c.when] : [])),
    ...(s.decide ?? []).flatMap((d) => (d.when ? [d.when] : [])),
  ]);
}

type Adjacency = Record<
  string,
  { state: AnyMachineSnapshot; transitions: Record<string, { event: ConvoEvent; state: AnyMachineSnapshot }> }
>;

export function walk(model: Model, context: WalkContext): Walk {
  const machine = model.machine as unknown as AnyStateMachine;
  const entry: Place = { flow: model.config.entry, state: model.flows.get(model.config.entry)!.start };
  const gotos = [...model.flows.keys()].map((flow): ConvoEvent => ({ type: 'GOTO', flow }));
  // Jumps to a flow only where a conversation begins (a deep link or a first message); everywhere
  // else only the state's own choices and routes, so a trap cannot hide behind /restart.
  const events = (snap: AnyMachineSnapshot): ConvoEvent[] => {
    const place = placeOf(snap);
    const own = localEvents(model, place);
    return placeKey(place) === placeKey(entry) && contextOf(snap).trail.length === 0
      ? [...own, ...gotos]
      : own;
  };
  const serializeSituation = situationSerializer(model);
  const options = { events, serializeState: serializeSituation, input: context } as never;
  const paths = getShortestPaths(machine, options) as unknown as {
    state: AnyMachineSnapshot;
    steps: { event: { type: string } }[];
  }[];
  const adjacency = getAdjacencyMap(machine, options) as unknown as Adjacency;

  const situations = new Map<string, Situation>();
  for (const path of paths) {
    const key = serializeSituation(path.state);
    const events = path.steps.map((s) => s.event).filter(isFlowEvent);
    situations.set(key, {
      key,
      place: placeOf(path.state),
      flags: [...contextOf(path.state).flags],
      events,
      edges: [],
    });
  }
  const passed = new Set<string>();
  for (const [key, node] of Object.entries(adjacency)) {
    const from = situations.get(key);
    if (!from) continue;
    for (const t of Object.values(node.transitions)) {
      // xstate lists every event tried; one no transition accepts (a guarded choice) goes nowhere.
      if (!node.state.can(t.event)) continue;
      const chain = decisionChain(model, from.place, t.event, contextOf(t.state));
      for (const d of chain) passed.add(placeKey(d.place));
      from.edges.push({
        event: t.event,
        to: serializeSituation(t.state),
        takes: [...ownTransition(from.place, t.event), ...chain.flatMap((d) => d.takes)],
      });
    }
  }

  // Backwards from outcomes over the flows' own transitions: whatever cannot get there is a trap.
  const good = new Set([...situations.values()].filter((s) => isOutcome(model, s.place)).map((s) => s.key));
  for (let changed = true; changed; ) {
    changed = false;
    for (const s of situations.values()) {
      if (!good.has(s.key) && s.edges.some((e) => e.event.type !== 'GOTO' && good.has(e.to))) {
        good.add(s.key);
        changed = true;
      }
    }
  }
  const traps = [...situations.values()].filter((s) => !good.has(s.key));
  const noEmergency: Walk['noEmergency'] = [];
  // EMERGENCY lives on the root, so what it does depends on the state, not on flags: once per state.
  const tried = new Set<string>();
  for (const [key, node] of Object.entries(adjacency)) {
    const here = placeKey(placeOf(node.state));
    if (tried.has(here)) continue;
    tried.add(here);
    const [after] = transition(machine, node.state, { type: 'EMERGENCY' }) as unknown as [AnyMachineSnapshot];
    const landed = placeOf(after);
    const situation = situations.get(key);
    if (situation && landed.flow !== model.config.emergency) noEmergency.push({ situation, landed });
  }
  return { context, situations, passed, traps, noEmergency };
}

function ownTransition(from: Place, event: ConvoEvent): string[] {
  if (event.type === 'CHOOSE') return [takenKey(from.flow, choiceKey(from.state, event.id))];
  if (event.type === 'ROUTE') return [takenKey(from.flow, routeKey(from.state, event.intent))];
  return [];
}

/**
 * Decision states an event leads through, replayed from the data with the context after the step
 * (the flags a choice records are visible to the decisions right after it, as in the machine).
 */
function decisionChain(
  model: Model,
  from: Place,
  event: ConvoEvent,
  ctx: ConvoContext,
): { place: Place; takes: string[] }[] {
  const state = model.flows.get(from.flow)?.states[from.state];
  let target: { next?: string; flow?: string } | undefined;
  if (event.type === 'CHOOSE') target = state?.choices?.find((c) => c.id === event.id);
  else if (event.type === 'ROUTE') target = state?.routes?.find((r) => r.intent === event.intent);
  else if (event.type === 'GOTO') target = { flow: event.flow };
  const out: { place: Place; takes: string[] }[] = [];
  let at = target && resolveTarget(model, from.flow, target);
  const risk = flagRisk(ctx.flags, model);
  for (let hops = 0; at && hops < 50; hops++) {
    const decide = model.flows.get(at.flow)?.states[at.state]?.decide;
    if (!decide) break;
    const index = decide.findIndex((x) => !x.when || evalGuard(x.when, ctx, risk));
    if (index < 0) break;
    const here = at;
    const takes = [
      ...decide
        .slice(0, index)
        .flatMap((d, i) => (d.when ? [takenKey(here.flow, decideKey(here.state, i, false))] : [])),
      takenKey(here.flow, decideKey(here.state, index, true)),
    ];
    out.push({ place: here, takes });
    at = resolveTarget(model, here.flow, decide[index]!);
  }
  return out;
}

function resolveTarget(
  model: Pick<Bundle, 'flows'>,
  flow: string,
  t: { next?: string; flow?: string },
): Place | undefined {
  if (t.flow) {
    const other = model.flows.get(t.flow);
    return other ? { flow: t.flow, state: other.start } : undefined;
  }
  return t.next ? { flow, state: t.next } : undefined;
}

/** How much a step costs a replayed path; undefined: not allowed. */
export type EdgeCost = (e: Edge) => number | undefined;

/** Buttons before free text (easier to replay and to read); no jumps between flows. */
export const PREFER_BUTTONS: EdgeCost = (e) =>
  e.event.type === 'GOTO' ? undefined : e.event.type === 'ROUTE' ? 100 : 1;

/** As PREFER_BUTTONS, and a conversation may start by a deep link into a flow. */
export const FROM_START: EdgeCost = (e) => (e.event.type === 'GOTO' ? 1 : e.event.type === 'ROUTE' ? 100 : 1);

/** Cheapest costs over a walk, with the step that reached each situation (or left it, for `cheapestTo`). */
export interface Tree {
  cost: Map<string, number>;
  via: Map<string, { edge: Edge; other: string }>;
}

/** A small binary heap of [cost, key]: Dijkstra over thousands of situations stays fast. */
class Heap {
  private readonly items: [number, string][] = [];
  get size(): number {
    return this.items.length;
  }
  push(item: [number, string]): void {
    const a = this.items;
    a.push(item);
    for (let i = a.length - 1; i > 0; ) {
      const up = (i - 1) >> 1;
      if (a[up]![0] <= a[i]![0]) break;
      [a[up], a[i]] = [a[i]!, a[up]!];
      i = up;
    }
  }
  pop(): [number, string] {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l]![0] < a[m]![0]) m = l;
        if (r < a.length && a[r]![0] < a[m]![0]) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}

function dijkstra(
  sources: string[],
  next: (key: string) => { edge: Edge; other: string }[],
  cost: EdgeCost,
): Tree {
  const tree: Tree = { cost: new Map(), via: new Map() };
  const heap = new Heap();
  for (const s of sources) {
    tree.cost.set(s, 0);
    heap.push([0, s]);
  }
  while (heap.size > 0) {
    const [c, key] = heap.pop();
    if (c > (tree.cost.get(key) ?? Number.POSITIVE_INFINITY)) continue;
    for (const step of next(key)) {
      const w = cost(step.edge);
      if (w === undefined) continue;
      const total = c + w;
      if (total < (tree.cost.get(step.other) ?? Number.POSITIVE_INFINITY)) {
        tree.cost.set(step.other, total);
        tree.via.set(step.other, { edge: step.edge, other: key });
        heap.push([total, step.other]);
      }
    }
  }
  return tree;
}

/** Cheapest ways from one situation to every other. */
export function cheapestFrom(w: Walk, from: string, cost: EdgeCost = PREFER_BUTTONS): Tree {
  return dijkstra(
    [from],
    (key) => (w.situations.get(key)?.edges ?? []).map((edge) => ({ edge, other: edge.to })),
    cost,
  );
}

/** Cheapest ways from every situation to one that satisfies `goal`. */
export function cheapestTo(w: Walk, goal: (s: Situation) => boolean, cost: EdgeCost = PREFER_BUTTONS): Tree {
  const incoming = new Map<string, { edge: Edge; other: string }[]>();
  for (const s of w.situations.values()) {
    for (const edge of s.edges) {
      const list = incoming.get(edge.to) ?? [];
      list.push({ edge, other: s.key });
      incoming.set(edge.to, list);
    }
  }
  const goals = [...w.situations.values()].filter(goal).map((s) => s.key);
  return dijkstra(goals, (key) => incoming.get(key) ?? [], cost);
}

/** The path to `key` in a tree from `cheapestFrom`, or undefined when it cannot be reached. */
export function pathTo(tree: Tree, key: string): Edge[] | undefined {
  if (!tree.cost.has(key)) return undefined;
  const path: Edge[] = [];
  for (let at = key, step = tree.via.get(at); step; at = step.other, step = tree.via.get(at))
    path.unshift(step.edge);
  return path;
}

/** The path from `key` in a tree from `cheapestTo`, or undefined when no goal can be reached. */
export function pathFrom(tree: Tree, key: string): Edge[] | undefined {
  if (!tree.cost.has(key)) return undefined;
  const path: Edge[] = [];
  for (let at = key, step = tree.via.get(at); step; at = step.other, step = tree.via.get(at))
    path.push(step.edge);
  return path;
}

/** The cheapest way from a situation to one that satisfies `goal`. */
export function cheapestPath(
  w: Walk,
  fromKey: string,
  goal: (s: Situation) => boolean,
  cost: EdgeCost = PREFER_BUTTONS,
): Edge[] | undefined {
  const tree = cheapestFrom(w, fromKey, cost);
  let best: string | undefined;
  for (const [key, c] of tree.cost) {
    const s = w.situations.get(key);
    if (s && goal(s) && (best === undefined || c < tree.cost.get(best)!)) best = key;
  }
  return best === undefined ? undefined : pathTo(tree, best);
}

/** The situation a fresh conversation starts in. */
export function startKey(w: Walk): string | undefined {
  for (const s of w.situations.values()) if (s.events.length === 0) return s.key;
  return undefined;
}

export interface Exploration {
  walks: Walk[];
  /** States of existing flows that no walk reached (resting or passed). */
  unreachable: Place[];
}

export function explore(model: Model, contexts = walkContexts(model)): Exploration {
  const walks = contexts.map((c) => walk(model, c));
  const seen = new Set<string>();
  for (const w of walks) {
    for (const s of w.situations.values()) seen.add(placeKey(s.place));
    for (const key of w.passed) seen.add(key);
  }
  const unreachable: Place[] = [];
  for (const flow of model.flows.values()) {
    for (const state of Object.keys(flow.states)) {
      if (!seen.has(placeKey({ flow: flow.id, state }))) unreachable.push({ flow: flow.id, state });
    }
  }
  return { walks, unreachable };
}
