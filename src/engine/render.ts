/**
 * Rendering: from where the conversation is to the words and buttons a person sees, in their
 * locale and with the contacts of their region. Pure functions of the bundle and the session; what
 * is the same for everyone at a place is made once.
 */

import { flagRisk } from '../flow/compile.ts';
import type { ConvoContext } from '../flow/context.ts';
import { evalGuard } from '../flow/guards.ts';
import type { ContactDef, FlowModel } from '../flow/model.ts';
import type { FlowOutcome, FlowState, Localized } from '../flow/schema.ts';
import type { ChoiceView, OutcomeView, Reply, ResourceView, RiskLevel } from './types.ts';

type Model = Pick<FlowModel, 'config' | 'flows' | 'steps' | 'flags' | 'resources' | 'ui'>;

/** Engine-level choice ids start with `_`, which flow choice ids cannot: no collision possible. */
export const ENGINE_CHOICE = {
  evidence: '_evidence',
  restart: '_restart',
  more: '_more',
  none: '_none',
  lang: (l: string) => `_lang:${l}`,
  region: (r: string) => `_region:${r}`,
  flow: (f: string) => `_flow:${f}`,
} as const;

export function ui(
  model: Model,
  locale: string,
  key: string,
  vars: Record<string, string | number> = {},
): string {
  const text = model.ui.get(locale)?.[key] ?? model.ui.get(model.config.defaultLocale)?.[key] ?? key;
  return text.includes('{') ? text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? '')) : text;
}

export function local(text: Localized, locale: string, model: Model): string {
  return text[locale] ?? text[model.config.defaultLocale] ?? Object.values(text)[0] ?? '';
}

export function stateOf(model: Model, flow: string, state: string): FlowState | undefined {
  return model.flows.get(flow)?.states[state];
}

/**
 * What rendering makes once: what everyone at a place sees in a locale and region. Kept per model
 * object, since a model derived from another (the toolkit, tests) may share its states and outcomes
 * but not its resources or texts. Shared views are frozen.
 */
interface Made {
  /** Buttons of states that guard none, by locale. */
  buttons: Map<FlowState, Map<string, readonly ChoiceView[]>>;
  /** By `locale region`. */
  outcomes: Map<FlowOutcome, Map<string, RenderedOutcome>>;
  /** Region buttons, by locale. */
  regions: Map<string, readonly ChoiceView[]>;
  /** The evidence and restart buttons every outcome adds, by locale. */
  afterOutcome: Map<string, readonly ChoiceView[]>;
  /** Whether an outcome's contacts depend on the region. */
  regional: Map<FlowOutcome, boolean>;
  /** What states that guard no button show, by `locale region`. */
  views: Map<FlowState, Map<string, StateView>>;
}

const made = new WeakMap<Model, Made>();

function madeFor(model: Model): Made {
  let m = made.get(model);
  if (!m) {
    m = {
      buttons: new Map(),
      outcomes: new Map(),
      regions: new Map(),
      afterOutcome: new Map(),
      regional: new Map(),
      views: new Map(),
    };
    made.set(model, m);
  }
  return m;
}

function inner<K, V>(map: Map<K, Map<string, V>>, key: K): Map<string, V> {
  let m = map.get(key);
  if (!m) {
    m = new Map();
    map.set(key, m);
  }
  return m;
}

const isGuarded = (c: { when?: unknown }): boolean => c.when !== undefined;

/** The buttons a state offers now: a fresh list (callers add to it) of views that may be shared and frozen. */
export function availableChoices(model: Model, state: FlowState, ctx: ConvoContext): ChoiceView[] {
  if (!state.choices?.some(isGuarded)) {
    const byLocale = inner(madeFor(model).buttons, state);
    let buttons = byLocale.get(ctx.locale);
    if (!buttons) {
      buttons = (state.choices ?? []).map((c) =>
        Object.freeze({ id: c.id, label: local(c.label, ctx.locale, model) }),
      );
      byLocale.set(ctx.locale, buttons);
    }
    return [...buttons];
  }
  const out: ChoiceView[] = [];
  let risk: RiskLevel | undefined;
  for (const c of state.choices ?? []) {
    if (c.when) {
      risk ??= flagRisk(ctx.flags, model);
      if (!evalGuard(c.when, ctx, risk)) continue;
    }
    out.push({ id: c.id, label: local(c.label, ctx.locale, model) });
  }
  return out;
}

export function flowTitle(model: Model, flow: string, locale: string): string {
  const f = model.flows.get(flow);
  return f ? local(f.title, locale, model) : flow;
}

/** The contacts of a resource for a region, falling back to the resource's `default` entry. */
export function resolveResources(
  model: Model,
  ids: readonly string[],
  region: string | null,
  locale: string,
): ResourceView[] {
  const out: ResourceView[] = [];
  for (const id of ids) {
    const res = model.resources.get(id);
    if (!res) continue;
    // When a region has nothing usable, the default (plain words, no number) stands in.
    const regional = region ? usable(res.regions[region]) : [];
    const contacts = regional.length > 0 ? regional : usable(res.regions.default);
    for (const c of contacts) {
      out.push({
        id,
        label: local(c.label ?? res.label, locale, model),
        contact: typeof c.contact === 'string' ? c.contact : local(c.contact, locale, model),
        verified: c.status === 'V',
      });
    }
  }
  return out;
}

/** A wrong number does harm: an unverified contact is never shown. */
function usable(e: ContactDef | ContactDef[] | undefined): ContactDef[] {
  return (Array.isArray(e) ? e : e ? [e] : []).filter((c) => c.status !== 'UNVERIFIED');
}

export interface RenderedOutcome {
  view: OutcomeView;
  text: string;
}

/** An outcome's steps and contacts in a locale and region, made once; the view is shared, so frozen. */
export function renderOutcome(model: Model, outcome: FlowOutcome, ctx: ConvoContext): RenderedOutcome {
  const byPlace = inner(madeFor(model).outcomes, outcome);
  const key = `${ctx.locale} ${ctx.region ?? ''}`;
  let rendered = byPlace.get(key);
  if (!rendered) {
    const resources = resolveResources(model, outcome.resources, ctx.region, ctx.locale).map((r) =>
      Object.freeze(r),
    );
    const view = Object.freeze({
      level: outcome.level,
      steps: Object.freeze([...outcome.steps]) as string[],
      resources: Object.freeze(resources) as ResourceView[],
    });
    rendered = { view, text: outcomeText(model, outcome, view, ctx.locale) };
    byPlace.set(key, rendered);
  }
  return rendered;
}

function outcomeText(model: Model, outcome: FlowOutcome, view: OutcomeView, locale: string): string {
  const steps = outcome.steps.map((s, i) => `${i + 1}. ${local(model.steps.get(s) ?? {}, locale, model)}`);
  const parts = [`${ui(model, locale, 'steps_heading')}\n${steps.join('\n')}`];
  if (view.resources.length > 0) {
    const lines = view.resources.map(
      (r) => `• ${r.label}: ${r.contact}${r.verified ? '' : ` ${ui(model, locale, 'contact_v2')}`}`,
    );
    parts.push(`${ui(model, locale, 'contacts_heading')}\n${lines.join('\n')}`);
  }
  return parts.join('\n\n');
}

/** A fresh list of shared, frozen buttons: every outcome asks with them until the person answers. */
export function regionChoices(model: Model, locale: string): ChoiceView[] {
  const byLocale = madeFor(model).regions;
  let buttons = byLocale.get(locale);
  if (!buttons) {
    buttons = Object.entries(model.config.regions).map(([id, r]) =>
      Object.freeze({ id: ENGINE_CHOICE.region(id), label: local(r.name, locale, model) }),
    );
    byLocale.set(locale, buttons);
  }
  return [...buttons];
}

/** The buttons every outcome ends with: shared and frozen, like a state's own. */
function outcomeChoices(model: Model, locale: string): readonly ChoiceView[] {
  const byLocale = madeFor(model).afterOutcome;
  let buttons = byLocale.get(locale);
  if (!buttons) {
    buttons = [
      Object.freeze({ id: ENGINE_CHOICE.evidence, label: ui(model, locale, 'evidence_choice') }),
      Object.freeze({ id: ENGINE_CHOICE.restart, label: ui(model, locale, 'restart_choice') }),
    ];
    byLocale.set(locale, buttons);
  }
  return buttons;
}

export function languageChoices(model: Model): ChoiceView[] {
  return model.config.locales.map((l) => ({
    id: ENGINE_CHOICE.lang(l),
    label: ui(model, l, 'language_name'),
  }));
}

/** Whether an outcome's contacts depend on the region (then it is worth asking where the person is). */
function isRegional(model: Model, outcome: FlowOutcome): boolean {
  const known = madeFor(model).regional;
  let regional = known.get(outcome);
  if (regional === undefined) {
    regional = outcome.resources.some((id) => Object.keys(model.resources.get(id)?.regions ?? {}).length > 1);
    known.set(outcome, regional);
  }
  return regional;
}

/** What everyone at a state sees in a locale and region, but for the stamp: made once, shared, frozen. */
interface StateView {
  /** Replies before the last, shared as they are. */
  before: readonly Reply[];
  /** The last reply's text, which carries the buttons (and, per turn, the stamp). */
  last: string | undefined;
  choices: readonly ChoiceView[];
  outcome: OutcomeView | null;
  /** Ask where the person is (the outcome's contacts depend on it and it is not known). */
  askRegion: boolean;
}

function viewOf(model: Model, state: FlowState, ctx: ConvoContext): StateView {
  const L = ctx.locale;
  const texts: string[] = [];
  if (Array.isArray(state.say)) for (const t of state.say) texts.push(local(t, L, model));
  else if (state.say !== undefined) texts.push(local(state.say, L, model));
  const choices = availableChoices(model, state, ctx);
  let outcome: OutcomeView | null = null;
  let askRegion = false;
  if (state.outcome) {
    const rendered = renderOutcome(model, state.outcome, ctx);
    outcome = rendered.view;
    texts.push(rendered.text);
    for (const c of outcomeChoices(model, L)) choices.push(c);
    askRegion = ctx.region === null && isRegional(model, state.outcome);
  }
  const last = texts.pop();
  return Object.freeze({
    before: Object.freeze(texts.map((text) => Object.freeze({ text }))),
    last,
    choices: Object.freeze(choices),
    outcome,
    askRegion,
  });
}

/** The state's view, made once when its buttons guard nothing (then they depend on no flag). */
function sharedView(model: Model, state: FlowState, ctx: ConvoContext): StateView {
  if (state.choices?.some(isGuarded)) return viewOf(model, state, ctx);
  const byPlace = inner(madeFor(model).views, state);
  const key = `${ctx.locale} ${ctx.region ?? ''}`;
  let view = byPlace.get(key);
  if (!view) {
    view = viewOf(model, state, ctx);
    byPlace.set(key, view);
  }
  return view;
}

/**
 * The messages of a state, the last one carrying its buttons. Replies without a stamp and the
 * button lists may be shared and frozen: callers read them, never change them.
 */
export function stateReplies(
  model: Model,
  flow: string,
  stateId: string,
  ctx: ConvoContext,
  stamp: string,
): { replies: Reply[]; outcome: OutcomeView | null } {
  const state = stateOf(model, flow, stateId);
  if (!state) return { replies: [], outcome: null };
  const view = sharedView(model, state, ctx);
  const replies: Reply[] = [...view.before];
  if (view.last !== undefined) {
    replies.push(
      view.choices.length > 0
        ? { text: view.last, choices: view.choices as ChoiceView[], stamp }
        : { text: view.last },
    );
  }
  if (view.askRegion) {
    const L = ctx.locale;
    replies.push({ text: ui(model, L, 'region_prompt'), choices: regionChoices(model, L), stamp });
  }
  return { replies, outcome: view.outcome };
}
