/**
 * Compiles checked flows into one xstate 5 machine: a root whose children are the flows, whose
 * children are the flows' states. Global events (GOTO a flow, EMERGENCY, RESTART) live on the
 * root, so they work in every state. Guards and actions are referenced by name with params,
 * so the machine stays plain data and every name is known to exist (see check.ts).
 */
import { assign, setup } from 'xstate';
import type { RiskLevel } from '../engine/types.ts';
import { type ConvoContext, TRAIL_LIMIT, type TrailEntry } from './context.ts';
import { evalGuard, maxRisk } from './guards.ts';
import type { FlowModel } from './model.ts';
import type { Flow, Guard } from './schema.ts';

export type ConvoEvent =
  | { type: 'CHOOSE'; id: string }
  | { type: 'ROUTE'; intent: string }
  /** `from` (`flow.state`) lets /back return to where the user was before the jump. */
  | { type: 'GOTO'; flow: string; from?: string }
  | { type: 'EMERGENCY'; from?: string }
  | { type: 'RESTART' }
  | { type: 'SET'; locale?: string; region?: string | null }
  /** Red flags found in free text; /back removes them with the step they were noticed after. */
  | { type: 'FLAG'; flags: string[] };

interface StepParams {
  /** `flow.state` being left. */
  from: string;
  answer?: string;
  flags: string[];
  /** False for automatic decisions: /back skips them, so their flags join the previous step. */
  push: boolean;
}

const asList = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

/** The risk level recorded flags add up to. */
export function flagRisk(flags: readonly string[], model: Pick<FlowModel, 'flags'>): RiskLevel {
  let risk: RiskLevel = 'none';
  for (const f of flags) risk = maxRisk(risk, model.flags.get(f)?.level ?? 'none');
  return risk;
}

export function applyStep(ctx: ConvoContext, p: StepParams): Pick<ConvoContext, 'flags' | 'trail'> {
  // Most steps record no flag: no list to filter then.
  const added = p.flags.length === 0 ? p.flags : p.flags.filter((f) => !ctx.flags.includes(f));
  const flags = added.length > 0 ? [...ctx.flags, ...added] : ctx.flags;
  if (!p.push) {
    const last = ctx.trail.at(-1);
    if (!last || added.length === 0) return { flags, trail: ctx.trail };
    const merged: TrailEntry = { ...last, f: [...(last.f ?? []), ...added] };
    return { flags, trail: [...ctx.trail.slice(0, -1), merged] };
  }
  const entry = trailEntry(p.from, p.answer, added);
  // Full trail: the oldest step makes room (slice, then one copy, rather than copy then slice).
  const kept = ctx.trail.length < TRAIL_LIMIT ? ctx.trail : ctx.trail.slice(1 - TRAIL_LIMIT);
  return { flags, trail: [...kept, entry] };
}

/** A step's trail entry, built whole: fields added one by one would each grow the object. */
function trailEntry(from: string, answer: string | undefined, added: string[]): TrailEntry {
  if (added.length === 0) return answer ? { s: from, a: answer } : { s: from };
  return answer ? { s: from, a: answer, f: added } : { s: from, f: added };
}

export function compileMachine(model: FlowModel) {
  const risk = (ctx: ConvoContext) => flagRisk(ctx.flags, model);
  const holds = (g: Guard | undefined, ctx: ConvoContext) => !g || evalGuard(g, ctx, risk(ctx));

  const flowStates = Object.fromEntries(
    [...model.flows.values()].map((flow) => [flow.id, compileFlow(flow, model)]),
  );
  const { entry, emergency } = model.config;

  return setup({
    types: {
      context: {} as ConvoContext,
      events: {} as ConvoEvent,
      input: {} as { locale: string; region: string | null },
    },
    guards: {
      chose: ({ context, event }, p: { id: string; when?: Guard }) =>
        event.type === 'CHOOSE' && event.id === p.id && holds(p.when, context),
      routed: ({ event }, p: { intent: string }) => event.type === 'ROUTE' && event.intent === p.intent,
      when: ({ context }, p: { when?: Guard }) => holds(p.when, context),
      isFlow: ({ event }, p: { flow: string }) => event.type === 'GOTO' && event.flow === p.flow,
    },
    actions: {
      step: assign(({ context }, p: StepParams) => applyStep(context, p)),
      jump: assign(({ context, event }, p: { flags: string[] }) => {
        const from = event.type === 'GOTO' || event.type === 'EMERGENCY' ? event.from : undefined;
        return applyStep(context, { from: from ?? '', flags: p.flags, push: Boolean(from) });
      }),
      flag: assign(({ context, event }) =>
        event.type === 'FLAG' ? applyStep(context, { from: '', flags: event.flags, push: false }) : {},
      ),
      reset: assign(({ context }) => ({
        flags: [],
        trail: [],
        locale: context.locale,
        region: context.region,
      })),
      set: assign(({ context, event }) => {
        if (event.type !== 'SET') return {};
        return {
          locale: event.locale ?? context.locale,
          region: event.region === undefined ? context.region : event.region,
        };
      }),
    },
  }).createMachine({
    id: 'safestep',
    context: ({ input }) => ({ flags: [], trail: [], locale: input.locale, region: input.region }),
    initial: entry,
    on: {
      GOTO: [...model.flows.values()].map((flow) => ({
        guard: { type: 'isFlow' as const, params: { flow: flow.id } },
        target: `.${flow.id}`,
        actions: { type: 'jump' as const, params: { flags: entryFlags(flow, flow.start) } },
      })),
      EMERGENCY: {
        target: `.${emergency}`,
        actions: {
          type: 'jump',
          params: { flags: entryFlags(model.flows.get(emergency)!, model.flows.get(emergency)!.start) },
        },
      },
      RESTART: { target: `.${entry}`, actions: 'reset' },
      SET: { actions: 'set' },
      FLAG: { actions: 'flag' },
    },
    states: flowStates,
  });
}

function entryFlags(flow: Flow, stateId: string): string[] {
  return asList(flow.states[stateId]?.flag);
}

function targetOf(
  flow: Flow,
  model: FlowModel,
  t: { next?: string; flow?: string },
): { target: string; flags: string[] } {
  if (t.flow) {
    const other = model.flows.get(t.flow)!;
    return { target: `#safestep.${other.id}`, flags: entryFlags(other, other.start) };
  }
  return { target: `#safestep.${flow.id}.${t.next}`, flags: entryFlags(flow, t.next!) };
}

function compileFlow(flow: Flow, model: FlowModel) {
  const states: Record<string, object> = {};
  for (const [sid, state] of Object.entries(flow.states)) {
    const from = `${flow.id}.${sid}`;
    const on: Record<string, object[]> = {};
    if (state.choices) {
      on.CHOOSE = state.choices.map((c) => {
        const { target, flags } = targetOf(flow, model, c);
        return {
          guard: { type: 'chose', params: { id: c.id, when: c.when } },
          target,
          actions: {
            type: 'step',
            params: { from, answer: c.id, flags: [...asList(c.flag), ...flags], push: true },
          },
        };
      });
    }
    if (state.routes) {
      on.ROUTE = state.routes.map((r) => {
        const { target, flags } = targetOf(flow, model, r);
        return {
          guard: { type: 'routed', params: { intent: r.intent } },
          target,
          actions: { type: 'step', params: { from, flags: [...asList(r.flag), ...flags], push: true } },
        };
      });
    }
    const always = state.decide?.map((d) => {
      const { target, flags } = targetOf(flow, model, d);
      return {
        ...(d.when ? { guard: { type: 'when', params: { when: d.when } } } : {}),
        target,
        actions: { type: 'step', params: { from, flags, push: false } },
      };
    });
    states[sid] = { on, ...(always ? { always } : {}), meta: { outcome: Boolean(state.outcome) } };
  }
  return { initial: flow.start, states };
}

export type ConversationMachine = ReturnType<typeof compileMachine>;
