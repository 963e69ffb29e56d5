/**
 * Skeleton scripts for what no scripted conversation covers yet: for each uncovered transition,
 * the shortest generated path that takes it and goes on to an outcome, written as a convo file an
 * author completes. Where the bot goes is filled in from the flow; what it should say is left for
 * the author (the last step expects `says: TODO…`, so a skeleton fails until someone writes it).
 */
import type { Bundle } from '../flow/bundle.ts';
import type { Action } from './convo.ts';
import {
  cheapestFrom,
  cheapestTo,
  type Edge,
  type Exploration,
  FROM_START,
  isOutcome,
  PREFER_BUTTONS,
  pathFrom,
  pathTo,
  startKey,
  takenKey,
  type Walk,
} from './explore.ts';
import { actionFor } from './replay.ts';
import { describeTransition, flowTransitions, type Transition } from './transitions.ts';

export interface Skeleton {
  locale: string;
  region: string | null;
  /** The transitions (of the flow asked about) the script takes that were uncovered. */
  covers: Transition[];
  text: string;
}

export interface SkeletonPlan {
  skeletons: Skeleton[];
  /** Uncovered transitions no generated path takes (the generated-path test explains why). */
  unreachable: Transition[];
}

/**
 * @param uncovered transition keys (as in transitions.ts) of `flowId` that no script takes.
 */
export function planSkeletons(
  bundle: Pick<Bundle, 'flows' | 'understanding' | 'config'>,
  exploration: Exploration,
  flowId: string,
  uncovered: ReadonlySet<string>,
  locale: string,
): SkeletonPlan {
  const flow = bundle.flows.get(flowId);
  if (!flow) return { skeletons: [], unreachable: [] };
  const wanted = flowTransitions(flow).filter((t) => uncovered.has(t.key));
  const pending = new Map(wanted.map((t) => [takenKey(flowId, t.key), t]));
  const skeletons: Skeleton[] = [];
  const unreachable: Transition[] = [];
  // Walks for the author's locale first, and among them the one where the region is unknown.
  const walks = [...exploration.walks].sort((a, b) => rank(a, locale) - rank(b, locale));
  for (const t of wanted) {
    const key = takenKey(flowId, t.key);
    if (!pending.has(key)) continue;
    const found = walks
      .map((w) => ({ w, path: pathTaking(bundle, w, key, flowId, pending) }))
      .find((x) => x.path);
    if (!found?.path) {
      unreachable.push(t);
      pending.delete(key);
      continue;
    }
    const covers = found.path
      .flatMap((e) => e.takes)
      .flatMap((k) => (pending.has(k) ? [pending.get(k)!] : []));
    for (const e of found.path) for (const k of e.takes) pending.delete(k);
    const region = found.w.context.region;
    skeletons.push({
      locale,
      region,
      covers: [...new Set(covers)],
      text: skeletonText(bundle, found.w, found.path, flowId, locale, region, covers),
    });
  }
  return { skeletons, unreachable };
}

function rank(w: Walk, locale: string): number {
  return (w.context.locale === locale ? 0 : 2) + (w.context.region === null ? 0 : 1);
}

/**
 * Start → a step that takes `key` → an outcome, or undefined. Steps that take other uncovered
 * transitions cost less, so one skeleton covers as much as it can.
 */
function pathTaking(
  bundle: Pick<Bundle, 'flows'>,
  w: Walk,
  key: string,
  flowId: string,
  pending: ReadonlyMap<string, unknown>,
): Edge[] | undefined {
  const start = startKey(w);
  if (!start) return undefined;
  const bonus = (e: Edge) => (e.takes.some((k) => pending.has(k)) ? 0.6 : 0);
  // Prefer opening the flow directly (a deep link): the script then reads as being about this flow.
  const prefixCost = (e: Edge) => {
    const base = e.event.type === 'GOTO' ? (e.event.flow === flowId ? 0.5 : 5) : FROM_START(e);
    return base === undefined ? undefined : Math.max(0.1, base - bonus(e));
  };
  const suffixCost = (e: Edge) => {
    const base = PREFER_BUTTONS(e);
    return base === undefined ? undefined : Math.max(0.1, base - bonus(e));
  };
  const prefixes = cheapestFrom(w, start, prefixCost);
  const suffixes = cheapestTo(w, (x) => isOutcome(bundle, x.place), suffixCost);
  let best: { path: Edge[]; score: number } | undefined;
  for (const s of w.situations.values()) {
    for (const e of s.edges) {
      if (!e.takes.includes(key)) continue;
      const prefix = pathTo(prefixes, s.key);
      const suffix = prefix && pathFrom(suffixes, e.to);
      if (!prefix || !suffix) continue;
      const path = [...prefix, e, ...suffix];
      const covered = new Set(path.flatMap((x) => x.takes).filter((k) => pending.has(k))).size;
      const score = path.length - 0.6 * covered;
      if (!best || score < best.score) best = { path, score };
    }
  }
  return best?.path;
}

function yamlString(s: string): string {
  return /^[\p{L}\p{N}][\p{L}\p{N} _.,!?'’-]*$/u.test(s) &&
    !/^(yes|no|true|false|null|on|off|y|n|~)$/i.test(s) &&
    !/^\d/.test(s)
    ? s
    : JSON.stringify(s);
}

function actionLines(a: Action, comment: string): string[] {
  const c = comment ? `  # ${comment}` : '';
  if (a.kind === 'choose') return [`  - choose: ${a.id}${c}`];
  if (a.kind === 'command')
    return a.flow
      ? [`  - command: ${a.command}`, `    flow: ${a.flow}${c}`]
      : [`  - command: ${a.command}${c}`];
  return [`  - text: ${yamlString(a.text)}${c}`];
}

function skeletonText(
  bundle: Pick<Bundle, 'flows' | 'understanding'>,
  w: Walk,
  path: Edge[],
  flowId: string,
  locale: string,
  region: string | null,
  covers: Transition[],
): string {
  const lines = [
    `# Skeleton written by \`safestep paths ${flowId} --uncovered\`. Fill it in, then rename the title.`,
    '# Where the bot goes is filled in from the flow; write what it must say and offer (says:, offers:).',
    '# It covers transitions no other script took:',
    ...covers.map((t) => `#   ${describeTransition(t)}`),
    `title: ${JSON.stringify(`TODO ${flowId}: ${covers[0] ? describeTransition(covers[0]) : 'path'}`)}`,
    `locale: ${locale}`,
    ...(region ? [`region: ${region}`] : []),
    'steps:',
  ];
  const first = path[0];
  let where: { flow: string; state: string } | undefined;
  if (first?.event.type !== 'GOTO') {
    // A conversation that starts with a button press first needs the welcome.
    lines.push('  - command: start');
    const start = w.situations.get(startKey(w)!)!;
    lines.push(`    expect: { flow: ${start.place.flow}, state: ${start.place.state} }`);
    where = start.place;
  }
  path.forEach((edge, i) => {
    const to = w.situations.get(edge.to)!;
    const a = actionFor(bundle, edge.event, locale);
    const action: Action = a.ok
      ? a.action
      : {
          kind: 'text',
          text: `TODO: something that means "${edge.event.type === 'ROUTE' ? edge.event.intent : edge.event.type}"`,
        };
    const comment =
      edge.event.type === 'CHOOSE'
        ? labelOf(bundle, where, edge.event.id, locale)
        : edge.event.type === 'ROUTE'
          ? `means "${edge.event.intent}"`
          : '';
    lines.push(...actionLines(action, comment));
    const expect: string[] = [];
    if (!where || where.flow !== to.place.flow) expect.push(`flow: ${to.place.flow}`);
    expect.push(`state: ${to.place.state}`);
    const outcome = bundle.flows.get(to.place.flow)?.states[to.place.state]?.outcome;
    if (outcome) expect.push(`outcome: ${outcome.level}`);
    if (i === path.length - 1) expect.push('says: "TODO: words the bot must say here"');
    lines.push(`    expect: { ${expect.join(', ')} }`);
    where = to.place;
  });
  return `${lines.join('\n')}\n`;
}

function labelOf(
  bundle: Pick<Bundle, 'flows'>,
  where: { flow: string; state: string } | undefined,
  id: string,
  locale: string,
): string {
  if (!where) return '';
  const c = bundle.flows.get(where.flow)?.states[where.state]?.choices?.find((x) => x.id === id);
  return c ? (c.label[locale] ?? c.label.en ?? '') : '';
}
