/**
 * Rendering: from where the conversation is to the words and buttons a person sees, in their
 * locale and with the contacts of their region. Pure functions of the bundle and the session.
 */

import { flagRisk } from '../flow/compile.ts';
import type { ConvoContext } from '../flow/context.ts';
import { evalGuard } from '../flow/guards.ts';
import type { FlowModel } from '../flow/model.ts';
import type { FlowOutcome, FlowState, Localized } from '../flow/schema.ts';
import type { ChoiceView, OutcomeView, Reply, ResourceView } from './types.ts';

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
  return text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}

export function local(text: Localized, locale: string, model: Model): string {
  return text[locale] ?? text[model.config.defaultLocale] ?? Object.values(text)[0] ?? '';
}

export function stateOf(model: Model, flow: string, state: string): FlowState | undefined {
  return model.flows.get(flow)?.states[state];
}

export function availableChoices(model: Model, state: FlowState, ctx: ConvoContext): ChoiceView[] {
  const risk = flagRisk(ctx.flags, model);
  return (state.choices ?? [])
    .filter((c) => !c.when || evalGuard(c.when, ctx, risk))
    .map((c) => ({ id: c.id, label: local(c.label, ctx.locale, model) }));
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
    // A wrong number does harm: an unverified contact is never shown, and when a region has
    // nothing else the default (plain words, no number) stands in.
    const usable = (e: typeof res.regions.default) =>
      (Array.isArray(e) ? e : e ? [e] : []).filter((c) => c.status !== 'UNVERIFIED');
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

export function outcomeView(model: Model, outcome: FlowOutcome, ctx: ConvoContext): OutcomeView {
  return {
    level: outcome.level,
    steps: [...outcome.steps],
    resources: resolveResources(model, outcome.resources, ctx.region, ctx.locale),
  };
}

export function outcomeText(model: Model, outcome: FlowOutcome, view: OutcomeView, locale: string): string {
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

export function regionChoices(model: Model, locale: string): ChoiceView[] {
  return Object.entries(model.config.regions).map(([id, r]) => ({
    id: ENGINE_CHOICE.region(id),
    label: local(r.name, locale, model),
  }));
}

export function languageChoices(model: Model): ChoiceView[] {
  return model.config.locales.map((l) => ({
    id: ENGINE_CHOICE.lang(l),
    label: ui(model, l, 'language_name'),
  }));
}

/** The messages of a state, the last one carrying its buttons. */
export function stateReplies(
  model: Model,
  flow: string,
  stateId: string,
  ctx: ConvoContext,
  stamp: string,
): { replies: Reply[]; outcome: OutcomeView | null } {
  const state = stateOf(model, flow, stateId);
  if (!state) return { replies: [], outcome: null };
  const says = state.say === undefined ? [] : Array.isArray(state.say) ? state.say : [state.say];
  const texts = says.map((t) => local(t, ctx.locale, model));
  let choices = availableChoices(model, state, ctx);
  let outcome: OutcomeView | null = null;
  const extra: Reply[] = [];
  if (state.outcome) {
    outcome = outcomeView(model, state.outcome, ctx);
    texts.push(outcomeText(model, state.outcome, outcome, ctx.locale));
    choices = [
      ...choices,
      { id: ENGINE_CHOICE.evidence, label: ui(model, ctx.locale, 'evidence_choice') },
      { id: ENGINE_CHOICE.restart, label: ui(model, ctx.locale, 'restart_choice') },
    ];
    const regional = state.outcome.resources.some(
      (id) => Object.keys(model.resources.get(id)?.regions ?? {}).length > 1,
    );
    if (ctx.region === null && regional) {
      extra.push({
        text: ui(model, ctx.locale, 'region_prompt'),
        choices: regionChoices(model, ctx.locale),
        stamp,
      });
    }
  }
  const replies: Reply[] = texts.map((text) => ({ text }));
  const last = replies.at(-1);
  if (last && choices.length > 0) {
    last.choices = choices;
    last.stamp = stamp;
  }
  return { replies: [...replies, ...extra], outcome };
}
