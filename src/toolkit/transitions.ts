/**
 * Every transition a flow declares, as data: what coverage counts, what diagrams draw and what
 * generated paths walk. A decision with a guard is two transitions (guard holds: taken; guard
 * fails: the next decision is tried), so coverage sees guards both ways.
 */
import type { Flow, Guard } from '../flow/schema.ts';
import type { Path } from '../flow/yaml.ts';

export type Target = { kind: 'state'; state: string } | { kind: 'flow'; flow: string };

interface Base {
  flow: string;
  /** The state the transition leaves. */
  state: string;
  index: number;
  /** Where it is written in the flow file, for `locate`. */
  path: Path;
  /** Stable key: `state choice:abroad`, `state route:yes`, `state decide:0+` / `decide:0-`. */
  key: string;
}

export type Transition =
  | (Base & { kind: 'choice'; id: string; label: string; when?: Guard; target: Target })
  | (Base & { kind: 'route'; intent: string; target: Target })
  | (Base & { kind: 'decide'; holds: true; when?: Guard; target: Target })
  /** The guard of decision `index` fails, so the conversation falls through to the next one. */
  | (Base & { kind: 'decide'; holds: false; when: Guard; target: null });

export function targetOf(t: { next?: string; flow?: string }): Target {
  return t.flow ? { kind: 'flow', flow: t.flow } : { kind: 'state', state: t.next! };
}

export const choiceKey = (state: string, id: string) => `${state} choice:${id}`;
export const routeKey = (state: string, intent: string) => `${state} route:${intent}`;
export const decideKey = (state: string, index: number, holds: boolean) =>
  `${state} decide:${index}${holds ? '+' : '-'}`;

/** Labels in diagrams and skeletons use this locale when present. */
export function labelIn(text: Record<string, string>, locale = 'en'): string {
  return text[locale] ?? Object.values(text)[0] ?? '';
}

export function flowTransitions(flow: Flow): Transition[] {
  const out: Transition[] = [];
  for (const [sid, state] of Object.entries(flow.states)) {
    const base = (index: number, kind: string) => ({
      flow: flow.id,
      state: sid,
      index,
      path: ['states', sid, kind, index],
    });
    state.choices?.forEach((c, i) => {
      const t: Transition = {
        ...base(i, 'choices'),
        kind: 'choice',
        key: choiceKey(sid, c.id),
        id: c.id,
        label: labelIn(c.label),
        target: targetOf(c),
      };
      if (c.when) t.when = c.when;
      out.push(t);
    });
    state.routes?.forEach((r, i) => {
      out.push({
        ...base(i, 'routes'),
        kind: 'route',
        key: routeKey(sid, r.intent),
        intent: r.intent,
        target: targetOf(r),
      });
    });
    state.decide?.forEach((d, i) => {
      const taken: Transition = {
        ...base(i, 'decide'),
        kind: 'decide',
        key: decideKey(sid, i, true),
        holds: true,
        target: targetOf(d),
      };
      if (d.when) taken.when = d.when;
      out.push(taken);
      if (d.when) {
        out.push({
          ...base(i, 'decide'),
          kind: 'decide',
          key: decideKey(sid, i, false),
          holds: false,
          when: d.when,
          target: null,
        });
      }
    });
  }
  return out;
}

/** Short human text for a guard: `risk ≥ high`, `flag overseas and not region UK`. */
export function describeGuard(g: Guard): string {
  const many = (v: string | string[]) => (Array.isArray(v) ? v.join('/') : v);
  if ('flag' in g) return `flag ${g.flag}`;
  if ('risk' in g) return `risk ≥ ${g.risk}`;
  if ('region' in g) return `region ${many(g.region)}`;
  if ('locale' in g) return `locale ${many(g.locale)}`;
  if ('answered' in g) return `answered ${g.answered}`;
  if ('guard' in g) return g.guard;
  if ('all' in g) return g.all.map(describeNested).join(' and ');
  if ('any' in g) return g.any.map(describeNested).join(' or ');
  return `not ${describeNested(g.not)}`;
}

function describeNested(g: Guard): string {
  return 'all' in g || 'any' in g ? `(${describeGuard(g)})` : describeGuard(g);
}

/** How a transition reads in a report: `where → fee on choice "Abroad" (abroad)`. */
export function describeTransition(t: Transition): string {
  const to =
    t.target === null
      ? 'the next decision'
      : t.target.kind === 'flow'
        ? `flow ${t.target.flow}`
        : t.target.state;
  if (t.kind === 'choice') return `${t.state} → ${to} on choice ${t.id} ("${t.label}")`;
  if (t.kind === 'route') return `${t.state} → ${to} on route ${t.intent}`;
  if (!t.holds) return `${t.state} → ${to} when "${describeGuard(t.when)}" fails`;
  return `${t.state} → ${to} ${t.when ? `when "${describeGuard(t.when)}" holds` : 'by default (no other decision held)'}`;
}
