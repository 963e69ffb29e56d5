/**
 * The engine: one turn of one conversation. Lock the conversation, load its session, understand
 * the message, move the statechart, render the replies, save. Imports no platform library.
 */
import type { Logger } from 'pino';
import type { Bundle } from '../flow/bundle.ts';
import { type ConvoEvent, flagRisk } from '../flow/compile.ts';
import type { ConvoContext } from '../flow/context.ts';
import { evalGuard, maxRisk } from '../flow/guards.ts';
import {
  type Count,
  type SessionStore,
  StoreConflictError,
  type Stored,
  StoreUnavailableError,
} from '../store/types.ts';
import type { Analysis, Understanding } from '../understand/types.ts';
import { addNote, evidenceText, sanitize, splitKey } from './evidence.ts';
import { RateLimiter } from './limits.ts';
import { chartOf, placeOf, type Snapshot } from './chart.ts';
import { LiveSessions } from './live.ts';
import { fold, looksChinese, matchChoice } from './match.ts';
import {
  availableChoices,
  ENGINE_CHOICE,
  flowTitle,
  languageChoices,
  local,
  renderOutcome,
  stateOf,
  stateReplies,
  ui,
} from './render.ts';
import {
  decodeSession,
  encodeSession,
  newNonce,
  parseStamp,
  SEEN_LIMIT,
  type Session,
  stampOf,
} from './session.ts';
import type {
  ChoiceView,
  Effect,
  Inbound,
  OutcomeView,
  Reply,
  TraceStep,
  TurnObservation,
  TurnResult,
} from './types.ts';

export interface EngineOptions {
  bundle: Bundle;
  store: SessionStore;
  logger: Logger;
  /** Defaults to the bundle's own keyword understanding. */
  understanding?: Understanding;
  /** Idle conversations restart after this long (default 7 days). */
  idleTtlMs?: number;
  /** Defaults when the platform does not tell (SAFESTEP_LOCALE, SAFESTEP_REGION). */
  defaultLocale?: string;
  defaultRegion?: string;
  /** Messages a user may send per minute before a kind "slow down" (0 = no limit). */
  rateLimitPerMinute?: number;
  now?: () => number;
  /** Turns running at once in this process before new ones get "try again" (load shedding). */
  maxInflight?: number;
  /** How many recently active conversations stay decoded in memory, session and snapshot (0 = none). */
  liveActors?: number;
  trace?: (step: TraceStep) => void;
  observe?: (o: TurnObservation) => void;
}

export interface Engine {
  handle(inbound: Inbound): Promise<TurnResult>;
  close(): Promise<void>;
  readonly bundle: Bundle;
  readonly store: SessionStore;
  /** Conversations active recently in this process (those kept decoded). */
  liveConversations(): number;
}

/** Intent scores: route when the best is at least this sure; ask when a runner-up has this share of its evidence. */
const ROUTE_MIN = 0.5;
const AMBIGUOUS_RATIO = 0.75;
const DAY = 86_400_000;

/** Counts are readonly pairs: the same ones serve every turn at a place. */
interface PlaceCounts {
  left: Count;
  reached: Count;
  outcome?: Count;
}

/** What one turn produced before it is saved. */
interface Draft {
  s: Session;
  replies: Reply[];
  effects: Effect[];
  /** Re-render the current state after the replies so far. */
  show: boolean;
  /** Only when someone subscribed to traces. */
  traces?: TraceStep[];
  /** Delete the session instead of saving it. */
  forget?: boolean;
  flowStarted?: string;
  /** xstate's snapshot in step with `s`; undefined after `s` was changed by hand (back). */
  snap?: Snapshot;
  /** The outcome as rendered for the final state, so the result does not resolve it again. */
  outcome?: OutcomeView;
  /** Anonymous counters this turn adds. */
  counts: Count[];
}

export function createEngine(opts: EngineOptions): Engine {
  const { bundle, store, logger } = opts;
  const understanding = opts.understanding ?? bundle.understanding;
  const now = opts.now ?? Date.now;
  const idleMs = opts.idleTtlMs ?? 7 * DAY;
  const limiter = new RateLimiter(opts.rateLimitPerMinute ?? 30, now);
  const live = new LiveSessions(opts.liveActors ?? 10_000);
  const maxInflight = opts.maxInflight ?? 2_000;
  let inflight = 0;
  const intentFlow = buildIntentFlows(bundle);
  const defaultLocale = pickLocale(opts.defaultLocale, bundle.config.locales) ?? bundle.config.defaultLocale;
  // `default` means "anywhere else": still unknown, so outcomes ask where the person is.
  const configuredRegion = resolveRegion(opts.defaultRegion ?? bundle.config.defaultRegion, bundle);
  const defaultRegion = configuredRegion === 'default' ? null : configuredRegion;
  const placeCounters = new Map<string, Map<string, PlaceCounts>>();
  const flowStarts = new Map<string, Count>();
  const hintLocales = new Map<string, string | undefined>();
  const chart = chartOf(bundle.machine, { locale: defaultLocale, region: defaultRegion });

  // ---------- session lifecycle ----------

  /** A new conversation, started by the machine itself so a decision at the entry settles at once. */
  function freshSession(locale: string, region: string | null): { session: Session; snap: Snapshot } {
    const t = now();
    const snap = chart.start(locale, region);
    const [flow, state] = placeOf(snap);
    const session: Session = {
      v: 1,
      hash: bundle.hash,
      flow,
      state,
      ctx: snap.context as ConvoContext,
      nonce: newNonce(),
      seq: 0,
      created: t,
      at: t,
      turns: 0,
    };
    return { session, snap };
  }

  /** Sends one event through the statechart; false when no transition accepts it. */
  function send(d: Draft, event: ConvoEvent): boolean {
    const snap = d.snap ?? chart.restore(d.s.flow, d.s.state, d.s.ctx);
    const next = chart.send(snap, event);
    d.snap = next;
    // Every transition of the machine assigns, so a taken one always makes a new snapshot.
    if (next === snap) return false;
    const [flow, state] = placeOf(next);
    const ctx = next.context as ConvoContext;
    if (flow !== d.s.flow) d.flowStarted = flow;
    if (flow !== d.s.flow || state !== d.s.state) d.s.seq += 1;
    // Decisions taken on the way read the context after the step (a flag it just recorded).
    if (d.traces) d.traces.push(...traceOf({ ...d.s, ctx }, event, flow, state));
    d.s.flow = flow;
    d.s.state = state;
    d.s.ctx = ctx;
    return true;
  }

  function traceOf(s: Session, event: ConvoEvent, flow: string, state: string): TraceStep[] {
    const from = s.state;
    const base = { flow: s.flow, from, to: state };
    let first: TraceStep;
    if (event.type === 'SET' || event.type === 'FLAG') return [];
    if (event.type === 'CHOOSE') first = { ...base, via: { kind: 'choice', id: event.id } };
    else if (event.type === 'ROUTE') first = { ...base, via: { kind: 'route', intent: event.intent } };
    else if (event.type === 'GOTO') first = { ...base, flow, via: { kind: 'intent', flow: event.flow } };
    else if (event.type === 'EMERGENCY') first = { ...base, flow, via: { kind: 'danger' } };
    else first = { ...base, flow, via: { kind: 'command', command: 'restart' } };
    const out = [first];
    // Decisions taken on the way: replay them from the data, to report which branch held.
    let at = targetAfter(s, event);
    for (let hops = 0; at && hops < 20; hops++) {
      const st = stateOf(bundle, at.flow, at.state);
      if (!st?.decide) break;
      const risk = flagRisk(s.ctx.flags, bundle);
      const ctx = s.ctx;
      const index = st.decide.findIndex((d) => !d.when || evalGuard(d.when, ctx, risk));
      const d = st.decide[index];
      if (!d) break;
      const next = d.flow
        ? { flow: d.flow, state: bundle.flows.get(d.flow)!.start }
        : { flow: at.flow, state: d.next! };
      out.push({ flow: at.flow, from: at.state, to: next.state, via: { kind: 'decide', index } });
      at = next;
    }
    void flow;
    return out;
  }

  function targetAfter(s: Session, event: ConvoEvent): { flow: string; state: string } | undefined {
    const st = stateOf(bundle, s.flow, s.state);
    const pick = (t: { next?: string; flow?: string } | undefined) =>
      t &&
      (t.flow ? { flow: t.flow, state: bundle.flows.get(t.flow)!.start } : { flow: s.flow, state: t.next! });
    if (event.type === 'CHOOSE') return pick(st?.choices?.find((c) => c.id === event.id));
    if (event.type === 'ROUTE') return pick(st?.routes?.find((r) => r.intent === event.intent));
    if (event.type === 'GOTO') return { flow: event.flow, state: bundle.flows.get(event.flow)!.start };
    if (event.type === 'EMERGENCY')
      return { flow: bundle.config.emergency, state: bundle.flows.get(bundle.config.emergency)!.start };
    return undefined;
  }

  // ---------- commands ----------

  function command(d: Draft, inbound: Extract<Inbound, { kind: 'command' }>): void {
    switch (inbound.command) {
      case 'start': {
        if (inbound.flow && bundle.flows.has(inbound.flow)) {
          send(d, { type: 'GOTO', flow: inbound.flow, from: `${d.s.flow}.${d.s.state}` });
        } else {
          if (d.s.turns > 0) send(d, { type: 'RESTART' });
          d.replies.push({ text: ui(bundle, d.s.ctx.locale, 'welcome') });
        }
        d.show = true;
        return;
      }
      case 'help':
        d.replies.push({ text: ui(bundle, d.s.ctx.locale, 'help') });
        d.show = true;
        return;
      case 'back':
        goBack(d);
        return;
      case 'restart':
        send(d, { type: 'RESTART' });
        d.s.notes = undefined;
        d.show = true;
        return;
      case 'language': {
        const wanted = pickLocale(inbound.arg, bundle.config.locales);
        if (wanted) setLocale(d, wanted);
        else
          d.replies.push({
            text: ui(bundle, d.s.ctx.locale, 'language_prompt'),
            choices: languageChoices(bundle),
            stamp: stampOf(d.s),
          });
        return;
      }
      case 'emergency':
        send(d, { type: 'EMERGENCY', from: `${d.s.flow}.${d.s.state}` });
        d.show = true;
        return;
      case 'forget':
        d.forget = true;
        d.replies.push({ text: ui(bundle, d.s.ctx.locale, 'forgotten') });
        d.effects.push({ type: 'forgotten' });
        return;
      case 'hide':
        hide(d);
        return;
      case 'check':
        if (inbound.arg) checkMessage(d, inbound.arg);
        else d.replies.push({ text: ui(bundle, d.s.ctx.locale, 'check_prompt') });
        return;
      case 'evidence':
        d.replies.push({
          text: evidenceText(bundle, understanding, d.s.flow, d.s.ctx, d.s.notes ?? [], new Date(now())),
        });
        return;
    }
  }

  function goBack(d: Draft): void {
    const last = d.s.ctx.trail.at(-1);
    const [flow, state] = last ? splitKey(last.s) : ['', ''];
    if (!last || !stateOf(bundle, flow, state)) {
      d.replies.push({ text: ui(bundle, d.s.ctx.locale, 'back_none') });
      d.show = true;
      return;
    }
    const removed = new Set(last.f ?? []);
    d.s.ctx = {
      ...d.s.ctx,
      trail: d.s.ctx.trail.slice(0, -1),
      flags: d.s.ctx.flags.filter((f) => !removed.has(f)),
    };
    d.s.flow = flow;
    d.s.state = state;
    d.s.seq += 1;
    d.snap = undefined;
    d.replies.push({ text: ui(bundle, d.s.ctx.locale, 'back_done') });
    d.show = true;
  }

  function hide(d: Draft): void {
    d.replies.push({ text: ui(bundle, d.s.ctx.locale, 'hidden') });
    d.effects.push({ type: 'hide' });
    // Buttons already sent must not work while hidden: a new stamp makes them stale.
    d.s.seq += 1;
  }

  function setLocale(d: Draft, locale: string): void {
    d.s.chose = { ...d.s.chose, locale: true };
    send(d, { type: 'SET', locale });
    d.replies.push({ text: ui(bundle, locale, 'language_set') });
    d.effects.push({ type: 'locale', locale });
    d.show = true;
  }

  // ---------- choices ----------

  function choice(d: Draft, inbound: Extract<Inbound, { kind: 'choice' }>): void {
    const L = d.s.ctx.locale;
    if (inbound.stamp !== undefined) {
      const st = parseStamp(inbound.stamp);
      if (!st || st.nonce !== d.s.nonce) {
        d.replies.push({ text: ui(bundle, L, 'foreign_button') });
        d.show = true;
        return;
      }
      if (st.seq !== d.s.seq && !inbound.choice.startsWith('_')) {
        d.replies.push({ text: ui(bundle, L, 'stale_button') });
        d.show = true;
        return;
      }
    }
    if (inbound.choice.startsWith('_')) {
      engineChoice(d, inbound.choice);
      return;
    }
    if (!send(d, { type: 'CHOOSE', id: inbound.choice })) {
      d.replies.push({ text: ui(bundle, L, 'not_offered') });
    }
    d.show = true;
  }

  function engineChoice(d: Draft, id: string): void {
    const [kind, arg] = id.includes(':')
      ? [id.slice(0, id.indexOf(':') + 1), id.slice(id.indexOf(':') + 1)]
      : [id, ''];
    const L = d.s.ctx.locale;
    switch (kind) {
      case ENGINE_CHOICE.evidence:
        d.replies.push({
          text: evidenceText(bundle, understanding, d.s.flow, d.s.ctx, d.s.notes ?? [], new Date(now())),
        });
        return;
      case ENGINE_CHOICE.more:
        d.show = true;
        return;
      case ENGINE_CHOICE.restart:
        send(d, { type: 'RESTART' });
        d.s.notes = undefined;
        d.show = true;
        return;
      case '_lang:':
        if (bundle.config.locales.includes(arg)) setLocale(d, arg);
        else d.show = true;
        return;
      case '_region:': {
        const region = resolveRegion(arg, bundle);
        if (region) {
          d.s.chose = { ...d.s.chose, region: true };
          send(d, { type: 'SET', region });
          const name = local(bundle.config.regions[region]!.name, L, bundle);
          d.replies.push({ text: ui(bundle, L, 'region_set', { region: name }) });
        }
        d.show = true;
        return;
      }
      case '_flow:':
        if (bundle.flows.has(arg)) send(d, { type: 'GOTO', flow: arg, from: `${d.s.flow}.${d.s.state}` });
        d.show = true;
        return;
      default:
        d.replies.push({ text: ui(bundle, L, 'not_offered') });
        d.show = true;
    }
  }

  // ---------- free text ----------

  function text(d: Draft, inbound: Extract<Inbound, { kind: 'text' }>): void {
    const raw = inbound.text;
    const folded = fold(raw);
    const L = d.s.ctx.locale;
    if (folded === '') {
      reprompt(d);
      return;
    }
    if (isHideWord(folded, L)) {
      hide(d);
      return;
    }
    if (/^\/\S/.test(raw.trim())) {
      d.replies.push({ text: ui(bundle, L, 'unknown_command') });
      d.show = true;
      return;
    }

    const state = stateOf(bundle, d.s.flow, d.s.state)!;
    const expected = (state.routes ?? []).map((r) => r.intent);
    const a = understanding.analyze(raw.slice(0, 4000), {
      locale: L,
      region: d.s.ctx.region ?? undefined,
      expected,
    });

    if (a.danger.length > 0 && d.s.flow !== bundle.config.emergency) {
      send(d, { type: 'EMERGENCY', from: `${d.s.flow}.${d.s.state}` });
      d.show = true;
      return;
    }
    if (inbound.forwarded) {
      checkMessage(d, raw, a);
      return;
    }

    // Typed numbers count across every button shown for this state, as the terminal numbers them.
    const shown = stateReplies(bundle, d.s.flow, d.s.state, d.s.ctx, '').replies.flatMap(
      (r) => r.choices ?? [],
    );
    const typed = matchChoice(raw, shown);
    if (typed) {
      if (typed.id.startsWith('_')) engineChoice(d, typed.id);
      else {
        send(d, { type: 'CHOOSE', id: typed.id });
        d.show = true;
      }
      return;
    }
    noticeFlags(d, a);

    const atEntry =
      d.s.flow === bundle.config.entry && d.s.state === bundle.flows.get(bundle.config.entry)!.start;
    if (atEntry && routeToFlow(d, a)) return;

    // A first message answers no question yet: "不知道是不是被骗" is not a "no" to "are you safe?".
    const asked = d.s.turns > 0;
    const route = asked
      ? state.routes?.find((r) => a.intents.some((i) => i.id === r.intent && i.score >= ROUTE_MIN))
      : undefined;
    if (route) {
      send(d, { type: 'ROUTE', intent: route.intent });
      d.show = true;
      return;
    }
    const other = atEntry ? undefined : topFlow(a);
    const switchTo =
      other && other !== d.s.flow && d.s.flow !== bundle.config.emergency
        ? [
            {
              id: ENGINE_CHOICE.flow(other),
              label: ui(bundle, L, 'switch_flow', { topic: flowTitle(bundle, other, L) }),
            },
          ]
        : [];
    // At an outcome, or where a flow asks for details, free text goes into the evidence summary.
    if (state.collect || state.outcome) {
      d.s.notes = addNote(d.s.notes, raw);
      d.replies.push({ text: ui(bundle, L, 'collect_ack') });
      if (switchTo.length > 0)
        d.replies.push({ text: flowTitle(bundle, d.s.flow, L), choices: switchTo, stamp: stampOf(d.s) });
      else d.show = true;
      return;
    }
    reprompt(d, switchTo);
  }

  /** First message: go to the flow it is about, or ask between the closest two. */
  function routeToFlow(d: Draft, a: Analysis): boolean {
    const ranked = rankFlows(a);
    const best = ranked[0];
    if (!best || best.score < ROUTE_MIN) return false;
    // Compare evidence, not squashed scores: odds s/(1-s) give back the phrase weights.
    const odds = (s: number) => (s >= 1 ? Number.POSITIVE_INFINITY : s / (1 - s));
    const close = ranked.filter((r) => odds(r.score) >= odds(best.score) * AMBIGUOUS_RATIO).slice(0, 3);
    const from = `${d.s.flow}.${d.s.state}`;
    if (close.length === 1) {
      send(d, { type: 'GOTO', flow: best.flow, from });
      d.show = true;
      return true;
    }
    const L = d.s.ctx.locale;
    d.replies.push({
      text: ui(bundle, L, 'ambiguous'),
      choices: [
        ...close.map((r) => ({ id: ENGINE_CHOICE.flow(r.flow), label: flowTitle(bundle, r.flow, L) })),
        { id: ENGINE_CHOICE.flow(bundle.config.entry), label: ui(bundle, L, 'none_of_these') },
      ],
      stamp: stampOf(d.s),
    });
    return true;
  }

  function rankFlows(a: Analysis): { flow: string; score: number }[] {
    const best = new Map<string, number>();
    for (const i of a.intents) {
      const flow = intentFlow.get(i.id);
      if (flow && flow !== bundle.config.entry && i.score > (best.get(flow) ?? 0)) best.set(flow, i.score);
    }
    return [...best].map(([flow, score]) => ({ flow, score })).sort((x, y) => y.score - x.score);
  }

  function topFlow(a: Analysis): string | undefined {
    const best = rankFlows(a)[0];
    return best && best.score >= ROUTE_MIN ? best.flow : undefined;
  }

  /** Red flags found in free text raise the risk, and are explained back in plain words. */
  function noticeFlags(d: Draft, a: Analysis): void {
    const fresh = [...new Set(a.flags.map((f) => f.id))].filter(
      (id) => bundle.flags.has(id) && !d.s.ctx.flags.includes(id),
    );
    if (fresh.length === 0) return;
    send(d, { type: 'FLAG', flags: fresh });
    const L = d.s.ctx.locale;
    const lines = fresh.map((id) => `⚠️ ${local(bundle.flags.get(id)!.explain, L, bundle)}`);
    d.replies.push({ text: `${ui(bundle, L, 'noticed')}\n${lines.join('\n')}` });
  }

  function checkMessage(d: Draft, raw: string, analysis?: Analysis): void {
    const L = d.s.ctx.locale;
    const a = analysis ?? understanding.analyze(raw.slice(0, 4000), { locale: L });
    const seen = new Set<string>();
    const lines: string[] = [];
    for (const hit of a.flags) {
      const def = bundle.flags.get(hit.id);
      if (!def || seen.has(hit.id)) continue;
      seen.add(hit.id);
      const clean = sanitize(hit.match);
      const match = clean.length > 60 ? `${clean.slice(0, 57)}…` : clean;
      lines.push(`⚠️ ${local(def.explain, L, bundle)}${match ? ` (“${match}”)` : ''}`);
    }
    const fresh = [...seen].filter((f) => !d.s.ctx.flags.includes(f));
    if (fresh.length > 0) send(d, { type: 'FLAG', flags: fresh });
    d.replies.push({
      text:
        lines.length > 0
          ? `${ui(bundle, L, 'check_found', { count: lines.length })}\n${lines.join('\n')}`
          : ui(bundle, L, 'check_none'),
    });
    const flow = topFlow(a);
    if (flow && flow !== d.s.flow) {
      d.replies.push({
        text: ui(bundle, L, 'check_offer'),
        choices: [
          {
            id: ENGINE_CHOICE.flow(flow),
            label: ui(bundle, L, 'check_offer_choice', { topic: flowTitle(bundle, flow, L) }),
          },
          { id: ENGINE_CHOICE.more, label: ui(bundle, L, 'more_choice') },
        ],
        stamp: stampOf(d.s),
      });
    } else {
      d.show = true;
    }
  }

  function reprompt(d: Draft, extra: ChoiceView[] = []): void {
    const state = stateOf(bundle, d.s.flow, d.s.state)!;
    const choices = availableChoices(bundle, state, d.s.ctx);
    const L = d.s.ctx.locale;
    d.replies.push({ text: ui(bundle, L, choices.length > 0 ? 'reprompt_choices' : 'reprompt_free') });
    d.show = true;
    if (extra.length > 0)
      d.replies.push({ text: flowTitle(bundle, d.s.flow, L), choices: extra, stamp: stampOf(d.s) });
  }

  function isHideWord(folded: string, locale: string): boolean {
    return ui(bundle, locale, 'hide_words')
      .split('|')
      .some((w) => fold(w) === folded);
  }

  // ---------- the turn ----------

  /** The locale a platform hint names; the same few codes come with every update, so each is worked out once. */
  function hintedLocale(hint: string | undefined): string | undefined {
    if (!hint) return undefined;
    if (hintLocales.has(hint)) return hintLocales.get(hint);
    const locale = pickLocale(hint, bundle.config.locales);
    // Hints are the platform's language codes, a short list; a flood of odd ones is not kept.
    if (hintLocales.size < 1_000) hintLocales.set(hint, locale);
    return locale;
  }

  function applyHints(d: Draft, inbound: Inbound): void {
    // What someone types in Chinese says more than the platform's language setting.
    const typedChinese =
      inbound.kind === 'text' && looksChinese(inbound.text) && bundle.config.locales.includes('zh-CN');
    const locale = d.s.chose?.locale ? undefined : typedChinese ? 'zh-CN' : hintedLocale(inbound.locale);
    // Typing Chinese is a choice as clear as /language: later platform hints do not undo it.
    if (typedChinese && !d.s.chose?.locale) d.s.chose = { ...d.s.chose, locale: true };
    const region = !d.s.chose?.region && inbound.region ? resolveRegion(inbound.region, bundle) : undefined;
    if ((locale && locale !== d.s.ctx.locale) || (region && region !== d.s.ctx.region)) {
      send(d, { type: 'SET', ...(locale ? { locale } : {}), ...(region ? { region } : {}) });
    }
  }

  function step(s: Session, inbound: Inbound, notice: string | undefined, snap: Snapshot | undefined): Draft {
    // Every field set at once: one shape for every draft.
    const d: Draft = {
      s,
      replies: [],
      effects: [],
      show: false,
      traces: opts.trace ? [] : undefined,
      forget: false,
      flowStarted: undefined,
      snap,
      outcome: undefined,
      counts: [],
    };
    applyHints(d, inbound);
    if (notice) d.replies.push({ text: ui(bundle, d.s.ctx.locale, notice) });
    if (d.s.turns === 0 && !(inbound.kind === 'command' && inbound.command === 'start')) {
      d.replies.push({ text: ui(bundle, d.s.ctx.locale, 'welcome') });
    }
    if (inbound.id !== undefined && d.s.seen?.includes(inbound.id)) {
      // A redelivered update: answer with where we are, without applying it again.
      d.show = true;
    } else {
      if (inbound.id !== undefined) d.s.seen = remember(d.s.seen, inbound.id);
      if (inbound.kind === 'command') command(d, inbound);
      else if (inbound.kind === 'choice') choice(d, inbound);
      else text(d, inbound);
    }
    // A hand-off may land on a decision state; send settles it, so the state is always one that asks.
    if (d.show) {
      const shown = stateReplies(bundle, d.s.flow, d.s.state, d.s.ctx, stampOf(d.s));
      for (const r of shown.replies) d.replies.push(r);
      if (shown.outcome) d.outcome = shown.outcome;
    }
    d.s.turns += 1;
    d.s.at = now();
    return d;
  }

  function result(user: string, d: Draft): TurnResult {
    const st = stateOf(bundle, d.s.flow, d.s.state);
    let outcome: OutcomeView | null = null;
    let level = flagRisk(d.s.ctx.flags, bundle);
    // Whoever is in the emergency flow is treated as in danger, whatever was recorded.
    if (d.s.flow === bundle.config.emergency) level = 'critical';
    if (st?.outcome && !d.forget) {
      outcome = d.outcome ?? renderOutcome(bundle, st.outcome, d.s.ctx).view;
      level = maxRisk(level, st.outcome.level);
    }
    return {
      user,
      replies: d.replies,
      flow: d.forget ? null : d.s.flow,
      state: d.forget ? null : d.s.state,
      risk: { level: d.forget ? 'none' : level, flags: d.forget ? [] : [...d.s.ctx.flags] },
      outcome,
      locale: d.s.ctx.locale,
      effects: d.effects,
    };
  }

  /** The turn up to saving: the session restored (or begun), the step taken, what to count. */
  function play(inbound: Inbound, stored: Stored | undefined): Draft {
    const hot = live.get(inbound.user, stored?.version);
    if (hot && now() - hot.session.at <= idleMs) return resume(inbound, hot.session, hot.snapshot);
    const restored = decodeSession(stored?.data, bundle.hash, now(), idleMs);
    if (restored.kind === 'ok') return resume(inbound, restored.session, undefined);
    if (restored.kind !== 'none') {
      logger.info({ event: 'session_reset', reason: restored.kind }, 'session restarted');
    }
    const fresh = freshSession(
      hintedLocale(inbound.locale) ?? defaultLocale,
      (inbound.region && resolveRegion(inbound.region, bundle)) || defaultRegion,
    );
    const notice =
      restored.kind === 'none' ? undefined : restored.kind === 'changed' ? 'flows_changed' : restored.kind;
    const d = step(fresh.session, inbound, notice, fresh.snap);
    d.counts = countsOf(d, undefined);
    return d;
  }

  /** A turn of a saved conversation. */
  function resume(inbound: Inbound, before: Session, snap: Snapshot | undefined): Draft {
    // The turn changes a copy: the live entry (and the record the store may hold) stay as saved.
    const d = step({ ...before }, inbound, undefined, snap);
    d.counts = countsOf(d, before);
    return d;
  }

  async function turn(inbound: Inbound): Promise<Draft> {
    for (let attempt = 0; ; attempt++) {
      const stored = await store.load(inbound.user);
      const d = play(inbound, stored);
      let version = 0;
      try {
        if (d.forget) await store.delete(inbound.user);
        // Counters go with the session: one write per turn, counting only turns that happened.
        else
          version = await store.save(inbound.user, recordOf(d.s), {
            ttlMs: idleMs,
            expectVersion: stored?.version ?? 0,
            counts: d.counts,
          });
      } catch (err) {
        if (err instanceof StoreConflictError && attempt < 3) continue;
        throw err;
      }
      if (d.forget) {
        live.delete(inbound.user);
        await countApart(d.counts);
      } else live.put(inbound.user, { version, session: d.s, snapshot: d.snap });
      if (d.traces) for (const t of d.traces) opts.trace?.(t);
      return d;
    }
  }

  /** Anonymous statistics of one turn: where conversations are, which flows start, which outcomes. */
  function countsOf(d: Draft, before: Session | undefined): Count[] {
    const counts: Count[] = [];
    const moved = !before || d.forget || before.flow !== d.s.flow || before.state !== d.s.state;
    if (moved) {
      if (before) counts.push(placeCounts(before.flow, before.state).left);
      if (!d.forget) {
        const place = placeCounts(d.s.flow, d.s.state);
        counts.push(place.reached);
        if (place.outcome) counts.push(place.outcome);
      }
    }
    if (d.flowStarted) counts.push(startCount(d.flowStarted));
    if (!before) {
      counts.push([`locale:${d.s.ctx.locale}`, 1], [`region:${d.s.ctx.region ?? 'unknown'}`, 1]);
      if (!d.flowStarted) counts.push(startCount(d.s.flow));
    }
    return counts;
  }

  /** A place's counts, made once per state: every turn that moves adds two or three of them. */
  function placeCounts(flow: string, state: string): PlaceCounts {
    let byState = placeCounters.get(flow);
    if (!byState) {
      byState = new Map();
      placeCounters.set(flow, byState);
    }
    let counts = byState.get(state);
    if (!counts) {
      const at = `at_state:${flow}.${state}`;
      const level = stateOf(bundle, flow, state)?.outcome?.level;
      counts = {
        left: [at, -1],
        reached: [at, 1],
        ...(level ? { outcome: [`outcome:${flow}:${level}`, 1] as const } : {}),
      };
      byState.set(state, counts);
    }
    return counts;
  }

  function startCount(flow: string): Count {
    let count = flowStarts.get(flow);
    if (!count) {
      count = [`flow_started:${flow}`, 1];
      flowStarts.set(flow, count);
    }
    return count;
  }

  /** After /forget there is no session to save them with; a failure here never fails the turn. */
  async function countApart(counts: Count[]): Promise<void> {
    try {
      for (const [name, by] of counts) await store.count(name, by);
    } catch (err) {
      logger.warn({ err }, 'statistics counter not updated');
    }
  }

  function failure(inbound: Inbound, key: 'try_again' | 'rate_limited'): TurnResult {
    const locale = pickLocale(inbound.locale, bundle.config.locales) ?? defaultLocale;
    return {
      user: inbound.user,
      replies: [{ text: ui(bundle, locale, key) }],
      flow: null,
      state: null,
      risk: { level: 'none', flags: [] },
      outcome: null,
      locale,
      effects: [],
    };
  }

  return {
    bundle,
    store,
    liveConversations: () => live.size,
    async handle(inbound) {
      // The clock is read only for whoever observes turns.
      const started = opts.observe ? performance.now() : 0;
      const channel = inbound.channel ?? 'unknown';
      if (inflight >= maxInflight) {
        opts.observe?.({ ms: 0, channel, error: 'rate_limited' });
        logger.warn({ inflight }, 'shedding load: too many turns in flight');
        return failure(inbound, 'try_again');
      }
      if (!limiter.allow(inbound.user)) {
        opts.observe?.({ ms: performance.now() - started, channel, error: 'rate_limited' });
        return failure(inbound, 'rate_limited');
      }
      inflight++;
      try {
        const d = await store.withLock(inbound.user, () => turn(inbound));
        const res = result(inbound.user, d);
        if (opts.observe) {
          const st = stateOf(bundle, d.s.flow, d.s.state);
          opts.observe({
            ms: performance.now() - started,
            channel,
            ...(d.flowStarted ? { flowStarted: d.flowStarted } : {}),
            ...(res.outcome && st?.outcome ? { outcome: { flow: d.s.flow, level: st.outcome.level } } : {}),
          });
        }
        return res;
      } catch (err) {
        const kind =
          err instanceof StoreUnavailableError
            ? 'store_unavailable'
            : err instanceof StoreConflictError
              ? 'conflict'
              : 'internal';
        logger.error({ err, kind, channel, inbound: inbound.kind }, 'turn failed');
        opts.observe?.({ ms: performance.now() - started, channel, error: kind });
        return failure(inbound, 'try_again');
      } finally {
        inflight--;
      }
    },
    async close() {
      await store.close();
    },
  };
}

// ---------- small pure helpers ----------

/** The last update ids handled, with this one: one new array, the oldest dropped when full. */
function remember(seen: readonly string[] | undefined, id: string): string[] {
  if (!seen) return [id];
  return [...(seen.length < SEEN_LIMIT ? seen : seen.slice(1 - SEEN_LIMIT)), id];
}

/** The session's record for the store, encoded only when the store needs the text. */
function recordOf(s: Session): () => string {
  return () => encodeSession(s);
}

/** Platform locale codes (`zh-hans`, `zh_CN`, `en-GB`) → a declared locale, or undefined. */
export function pickLocale(hint: string | undefined, locales: readonly string[]): string | undefined {
  if (!hint) return undefined;
  const h = hint.replace('_', '-').toLowerCase();
  const exact = locales.find((l) => l.toLowerCase() === h);
  if (exact) return exact;
  const lang = h.split('-')[0];
  return locales.find((l) => l.toLowerCase().split('-')[0] === lang);
}

/** A region code or alias (`GB`, `england`, `中国`) → a declared region, or null. */
export function resolveRegion(hint: string | undefined, bundle: Pick<Bundle, 'config'>): string | null {
  if (!hint) return null;
  return regionNames(bundle.config).get(fold(hint)) ?? null;
}

const regionIndexes = new WeakMap<Bundle['config'], Map<string, string>>();

/**
 * Every region's id and aliases, folded, to its id; made once per config, since hints and region
 * buttons come with every turn. The first region to claim a name keeps it, in declaration order.
 */
function regionNames(config: Bundle['config']): Map<string, string> {
  let names = regionIndexes.get(config);
  if (!names) {
    names = new Map();
    for (const [id, r] of Object.entries(config.regions)) {
      for (const name of [id, ...r.aliases]) {
        const key = fold(name);
        if (!names.has(key)) names.set(key, id);
      }
    }
    regionIndexes.set(config, names);
  }
  return names;
}

function buildIntentFlows(bundle: Bundle): Map<string, string> {
  const map = new Map<string, string>();
  for (const flow of bundle.flows.values()) {
    for (const intent of flow.intents) if (!map.has(intent)) map.set(intent, flow.id);
  }
  for (const id of bundle.flows.keys()) if (!map.has(id) && bundle.intentIds.has(id)) map.set(id, id);
  return map;
}
