/**
 * Checks a script's ids against the flows before it runs. A typo in `not_offers` or `not_says`
 * would otherwise pass forever without testing anything; a typo elsewhere would fail with a
 * confusing diff instead of saying what is wrong.
 */
import type { Bundle } from '../flow/bundle.ts';
import type { Problem } from '../flow/problems.ts';
import type { Convo, Expect, Position } from './convo.ts';

const list = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

export function lintConvo(
  convo: Convo,
  bundle: Pick<Bundle, 'flows' | 'steps' | 'resources' | 'flags' | 'config'>,
): Problem[] {
  const problems: Problem[] = [];
  const add = (at: Position, message: string) =>
    problems.push({ file: convo.file, ...at, severity: 'error', message });
  const choiceIds = new Set<string>();
  const stateIds = new Set<string>();
  for (const flow of bundle.flows.values()) {
    for (const [sid, state] of Object.entries(flow.states)) {
      stateIds.add(sid);
      for (const c of state.choices ?? []) choiceIds.add(c.id);
    }
  }
  const knownChoice = (id: string) => id.startsWith('_') || choiceIds.has(id);
  const locales = bundle.config.locales;
  if (!locales.includes(convo.locale))
    add({ line: 1, col: 1 }, `locale "${convo.locale}" is not one of ${locales.join(', ')}`);
  if (convo.region !== undefined && !(convo.region in bundle.config.regions)) {
    add(
      { line: 1, col: 1 },
      `region "${convo.region}" is not one of ${Object.keys(bundle.config.regions).join(', ')}`,
    );
  }
  for (const step of convo.steps) {
    const a = step.action;
    if (a.kind === 'command' && a.flow && !bundle.flows.has(a.flow)) add(step.at, `unknown flow "${a.flow}"`);
    if (a.kind === 'choose' && !knownChoice(a.id)) add(step.at, `no flow has a choice "${a.id}"`);
    const e = step.expect;
    const at = (key: keyof Expect) => step.expectAt[key] ?? step.at;
    if (e.flow !== undefined && !bundle.flows.has(e.flow)) add(at('flow'), `unknown flow "${e.flow}"`);
    if (e.state !== undefined) {
      const flow = e.flow ? bundle.flows.get(e.flow) : undefined;
      if (flow ? !(e.state in flow.states) : !stateIds.has(e.state)) {
        add(at('state'), `no state "${e.state}"${flow ? ` in flow ${flow.id}` : ' in any flow'}`);
      }
    }
    for (const key of ['offers', 'not_offers'] as const) {
      for (const id of list(e[key]))
        if (!knownChoice(id)) add(at(key), `${key}: no flow has a choice "${id}"`);
    }
    for (const id of list(e.flags)) if (!bundle.flags.has(id)) add(at('flags'), `unknown flag "${id}"`);
    for (const id of list(e.steps)) if (!bundle.steps.has(id)) add(at('steps'), `unknown step "${id}"`);
    for (const id of list(e.resources))
      if (!bundle.resources.has(id)) add(at('resources'), `unknown resource "${id}"`);
  }
  return problems;
}
