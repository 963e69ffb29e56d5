/**
 * Whole-graph checks: everything zod cannot see because it spans files or states. Reports every
 * problem at once, so an author fixes a flow in one pass.
 */
import { guardRefs, NAMED_GUARDS } from './guards.ts';
import { type FlowModel, type Located, problemAt } from './model.ts';
import type { Problem } from './problems.ts';
import type { Flow, FlowState, Guard, Localized } from './schema.ts';
import type { Path } from './yaml.ts';

/** Platform limits a choice must fit, with room for the stamp adapters prepend. */
export const LIMITS = {
  /** Telegram callback_data is 64 bytes; `stamp|` takes up to 13 of them. */
  choiceIdBytes: 40,
  /** Discord custom_id is 100 characters. */
  choiceIdChars: 40,
  labelChars: 80,
  messageChars: 2000,
} as const;

export function checkModel(model: FlowModel): Problem[] {
  const problems: Problem[] = [];
  const { config } = model;
  if (!config.locales.includes(config.defaultLocale)) {
    problems.push(
      problemAt(
        model.configSource,
        ['defaultLocale'],
        `default locale ${config.defaultLocale} is not in locales`,
      ),
    );
  }
  for (const key of ['entry', 'emergency'] as const) {
    if (!model.flows.has(config[key])) {
      problems.push(problemAt(model.configSource, [key], `${key} flow "${config[key]}" does not exist`));
    }
  }
  if (!('default' in config.regions)) {
    problems.push(
      problemAt(model.configSource, ['regions'], 'regions needs a `default` entry for anywhere else'),
    );
  }
  for (const [id, flow] of model.flows) {
    problems.push(...checkFlow(model, flow, model.flowSources.get(id)!));
  }
  problems.push(...checkOutcomeReachability(model));
  problems.push(...checkCatalogs(model));
  return problems;
}

function checkFlow(model: FlowModel, flow: Flow, src: Located): Problem[] {
  const problems: Problem[] = [];
  const add = (path: Path, message: string, severity: Problem['severity'] = 'error') =>
    problems.push(problemAt(src, path, message, severity));
  const locales = model.config.locales;

  checkLocalized(flow.title, ['title'], locales, add);
  if (!(flow.start in flow.states)) add(['start'], `start state "${flow.start}" does not exist`);
  for (const intent of flow.intents) {
    if (!model.intentIds.has(intent)) add(['intents'], `unknown intent "${intent}"`);
  }

  const targetOk = (path: Path, t: { next?: string; flow?: string }) => {
    if (t.next && !(t.next in flow.states))
      add([...path, 'next'], `unknown target state "${t.next}" in flow ${flow.id}`);
    if (t.flow && !model.flows.has(t.flow)) add([...path, 'flow'], `unknown target flow "${t.flow}"`);
  };
  const flagsOk = (path: Path, flags: string | string[] | undefined) => {
    for (const f of flags === undefined ? [] : Array.isArray(flags) ? flags : [flags]) {
      if (!model.flags.has(f)) add(path, `unknown flag "${f}" (define it in flows/flags/)`);
    }
  };
  const guardOk = (path: Path, g: Guard | undefined) => {
    if (!g) return;
    const refs = guardRefs(g);
    for (const f of refs.flags) if (!model.flags.has(f)) add(path, `unknown flag "${f}" in guard`);
    for (const n of refs.named)
      if (!(n in NAMED_GUARDS))
        add(path, `unknown guard "${n}" (known: ${Object.keys(NAMED_GUARDS).join(', ')})`);
    for (const r of refs.regions)
      if (!(r in model.config.regions)) add(path, `unknown region "${r}" in guard`);
    for (const l of refs.locales) if (!locales.includes(l)) add(path, `unknown locale "${l}" in guard`);
  };

  for (const [sid, state] of Object.entries(flow.states)) {
    const base: Path = ['states', sid];
    checkState(model, state, base, add, targetOk, flagsOk, guardOk);
  }
  for (const sid of unreachableStates(flow))
    add(['states', sid], `state "${sid}" is unreachable from start "${flow.start}"`);
  return problems;
}

type Add = (path: Path, message: string, severity?: Problem['severity']) => void;

function checkState(
  model: FlowModel,
  state: FlowState,
  base: Path,
  add: Add,
  targetOk: (path: Path, t: { next?: string; flow?: string }) => void,
  flagsOk: (path: Path, flags: string | string[] | undefined) => void,
  guardOk: (path: Path, g: Guard | undefined) => void,
): void {
  const locales = model.config.locales;
  const says = state.say === undefined ? [] : Array.isArray(state.say) ? state.say : [state.say];
  says.forEach((text, i) => {
    const path = Array.isArray(state.say) ? [...base, 'say', i] : [...base, 'say'];
    checkLocalized(text, path, locales, add, LIMITS.messageChars);
  });
  flagsOk([...base, 'flag'], state.flag);

  const seen = new Set<string>();
  state.choices?.forEach((c, i) => {
    const path = [...base, 'choices', i];
    if (seen.has(c.id)) add([...path, 'id'], `duplicate choice id "${c.id}"`);
    seen.add(c.id);
    if (Buffer.byteLength(c.id) > LIMITS.choiceIdBytes || c.id.length > LIMITS.choiceIdChars) {
      add(
        [...path, 'id'],
        `choice id "${c.id}" is longer than ${LIMITS.choiceIdBytes} bytes: it would not fit Telegram's 64-byte callback_data with its stamp`,
      );
    }
    checkLocalized(c.label, [...path, 'label'], locales, add, LIMITS.labelChars);
    targetOk(path, c);
    flagsOk([...path, 'flag'], c.flag);
    guardOk([...path, 'when'], c.when);
  });
  state.routes?.forEach((r, i) => {
    const path = [...base, 'routes', i];
    if (!model.intentIds.has(r.intent)) add([...path, 'intent'], `unknown intent "${r.intent}"`);
    targetOk(path, r);
    flagsOk([...path, 'flag'], r.flag);
  });
  state.decide?.forEach((d, i) => {
    const path = [...base, 'decide', i];
    const last = i === state.decide!.length - 1;
    if (last && d.when)
      add([...path, 'when'], 'the last decision must have no `when`: something must always be decided');
    if (!last && !d.when)
      add(
        [...path, 'when'],
        'only the last decision may have no `when`: the ones after it could never be taken',
      );
    targetOk(path, d);
    guardOk([...path, 'when'], d.when);
  });
  if (state.outcome) {
    state.outcome.steps.forEach((s, i) => {
      if (!model.steps.has(s))
        add([...base, 'outcome', 'steps', i], `unknown step "${s}" (define it in flows/steps/)`);
    });
    state.outcome.resources.forEach((r, i) => {
      if (!model.resources.has(r))
        add([...base, 'outcome', 'resources', i], `unknown resource "${r}" (define it in flows/resources/)`);
    });
  }
}

function checkLocalized(text: Localized, path: Path, locales: string[], add: Add, max?: number): void {
  for (const l of locales) {
    const t = text[l];
    if (t === undefined || t.trim() === '') add(path, `missing text in locale ${l}`);
    else if (max !== undefined && [...t].length > max)
      add([...path, l], `text in ${l} is ${[...t].length} characters; the limit is ${max}`);
  }
  for (const l of Object.keys(text)) {
    if (!locales.includes(l)) add([...path, l], `locale "${l}" is not declared in flows/safestep.yaml`);
  }
}

/** Local edges of a state: where its choices, routes and decisions lead inside the flow. */
export function localTargets(state: FlowState): string[] {
  const out: string[] = [];
  for (const t of [...(state.choices ?? []), ...(state.routes ?? []), ...(state.decide ?? [])]) {
    if (t.next) out.push(t.next);
  }
  return out;
}

export function unreachableStates(flow: Flow): string[] {
  const seen = new Set<string>();
  const queue = [flow.start];
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (seen.has(id) || !flow.states[id]) continue;
    seen.add(id);
    queue.push(...localTargets(flow.states[id]));
  }
  return Object.keys(flow.states).filter((s) => !seen.has(s));
}

/** From every state some path must reach an outcome, across flow hand-offs. */
function checkOutcomeReachability(model: FlowModel): Problem[] {
  const key = (f: string, s: string) => `${f}.${s}`;
  const edges = new Map<string, string[]>();
  const good = new Set<string>();
  for (const [fid, flow] of model.flows) {
    for (const [sid, state] of Object.entries(flow.states)) {
      if (state.outcome) good.add(key(fid, sid));
      const out: string[] = [];
      for (const t of [...(state.choices ?? []), ...(state.routes ?? []), ...(state.decide ?? [])]) {
        if (t.next) out.push(key(fid, t.next));
        const target = t.flow ? model.flows.get(t.flow) : undefined;
        if (t.flow && target) out.push(key(t.flow, target.start));
      }
      edges.set(key(fid, sid), out);
    }
  }
  // Walk backwards from outcomes until nothing changes.
  let changed = true;
  while (changed) {
    changed = false;
    for (const [from, tos] of edges) {
      if (!good.has(from) && tos.some((t) => good.has(t))) {
        good.add(from);
        changed = true;
      }
    }
  }
  const problems: Problem[] = [];
  for (const [fid, flow] of model.flows) {
    for (const sid of Object.keys(flow.states)) {
      if (!good.has(key(fid, sid))) {
        problems.push(
          problemAt(
            model.flowSources.get(fid)!,
            ['states', sid],
            `no outcome can be reached from state "${sid}": it is a dead end`,
          ),
        );
      }
    }
  }
  return problems;
}

function checkCatalogs(model: FlowModel): Problem[] {
  const problems: Problem[] = [];
  const locales = model.config.locales;
  const origin = (k: string) => model.origins.get(k)!;
  for (const [id, text] of model.steps) {
    checkLocalized(text, [id], locales, (p, m, s) =>
      problems.push(problemAt(origin(`steps:${id}`), p, m, s)),
    );
  }
  for (const [id, def] of model.flags) {
    checkLocalized(def.explain, [id, 'explain'], locales, (p, m, s) =>
      problems.push(problemAt(origin(`flags:${id}`), p, m, s)),
    );
  }
  for (const id of model.textFlagIds) {
    if (!model.flags.has(id)) {
      problems.push({
        file: 'flows/understanding',
        line: 1,
        col: 1,
        severity: 'error',
        message: `the text analyser emits flag "${id}" that no file in flows/flags/ defines`,
      });
    }
  }
  for (const [id, res] of model.resources) {
    const src = origin(`resources:${id}`);
    const add: Add = (p, m, s) => problems.push(problemAt(src, p, m, s));
    checkLocalized(res.label, ['resources', id, 'label'], locales, add);
    if (!('default' in res.regions))
      add(
        ['resources', id, 'regions'],
        `resource "${id}" needs a default entry for regions it does not list`,
      );
    for (const [region, entry] of Object.entries(res.regions)) {
      const path: Path = ['resources', id, 'regions', region];
      if (!(region in model.config.regions))
        add(path, `unknown region "${region}" (regions are declared in flows/safestep.yaml)`);
      const contacts = Array.isArray(entry) ? entry : [entry];
      contacts.forEach((c, i) => {
        const cpath = Array.isArray(entry) ? [...path, i] : path;
        for (const s of c.source) {
          if (!model.sources.has(s))
            add([...cpath, 'source'], `unknown source "${s}": every number needs a listed source`);
        }
        if (c.label) checkLocalized(c.label, [...cpath, 'label'], locales, add);
        if (typeof c.contact !== 'string') checkLocalized(c.contact, [...cpath, 'contact'], locales, add);
      });
    }
  }
  const base = model.ui.get(model.config.defaultLocale) ?? {};
  for (const locale of locales) {
    const ui = model.ui.get(locale);
    const src = model.origins.get(`ui:${locale}`);
    if (!ui || !src) {
      problems.push({
        file: `flows/locales/${locale}.yaml`,
        line: 1,
        col: 1,
        severity: 'error',
        message: `missing UI strings for locale ${locale}`,
      });
      continue;
    }
    for (const key of Object.keys(base)) {
      if (!(key in ui)) problems.push(problemAt(src, [], `missing UI string "${key}" in locale ${locale}`));
    }
  }
  return problems;
}
