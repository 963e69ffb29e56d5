/**
 * Every outcome, rendered through the real engine in every locale for every region (and for a
 * region nobody told us): reached by replaying a generated path, then checked for what a person
 * would miss: a contact that shows nothing, a step without text, an engine string left untranslated.
 */
import type { Bundle } from '../flow/bundle.ts';
import type { Engine, Inbound, TurnResult } from '../index.ts';
import { createEngine, openStore } from '../index.ts';
import { createLogger } from '../log.ts';
import { toInbound } from './channels/engine.ts';
import type { Located } from './coverage.ts';
import {
  cheapestFrom,
  type Edge,
  type Exploration,
  FROM_START,
  type Place,
  pathTo,
  placeKey,
  startKey,
  type Tree,
  type Walk,
} from './explore.ts';
import { actionFor } from './replay.ts';
import type { Hints } from './runner.ts';

export interface RenderProblem {
  place: Place;
  locale: string;
  /** null: the person has not said where they are. */
  region: string | null;
  message: string;
  at: Located;
  /** Problems fail the check; notes say what could not be tried. */
  severity: 'error' | 'note';
}

export interface RenderReport {
  /** (outcome, locale, region) combinations rendered and checked. */
  rendered: number;
  problems: RenderProblem[];
}

/** The walk whose guards saw what a person with this locale and region would. */
function walkFor(
  walks: readonly Walk[],
  locale: string,
  region: string | null,
  defaultLocale: string,
): Walk | undefined {
  const find = (l: string, r: string | null) =>
    walks.find((w) => w.context.locale === l && w.context.region === r);
  return (
    find(locale, region) ?? find(locale, null) ?? find(defaultLocale, region) ?? find(defaultLocale, null)
  );
}

const trees = new WeakMap<Walk, Tree>();

/** The cheapest replayable way from a fresh conversation to a place (any flags), per walk. */
function bestPathTo(w: Walk, place: string): Edge[] | undefined {
  let tree = trees.get(w);
  const start = startKey(w);
  if (!start) return undefined;
  if (!tree) {
    tree = cheapestFrom(w, start, FROM_START);
    trees.set(w, tree);
  }
  let best: string | undefined;
  for (const [key, c] of tree.cost) {
    if (
      w.situations.get(key) &&
      placeKey(w.situations.get(key)!.place) === place &&
      (best === undefined || c < tree.cost.get(best)!)
    )
      best = key;
  }
  return best === undefined ? undefined : pathTo(tree, best);
}

export async function checkOutcomeRendering(
  bundle: Bundle,
  exploration: Exploration,
  only?: (p: Place) => boolean,
): Promise<RenderReport> {
  const store = await openStore('memory:');
  const engine = createEngine({
    bundle,
    store,
    logger: createLogger({ level: 'silent' }),
    rateLimitPerMinute: 0,
  });
  const problems: RenderProblem[] = [];
  let rendered = 0;
  // Unknown first: a region hint, once given, stays; "unknown" must be seen before any is given.
  const regions: (string | null)[] = [null, ...Object.keys(bundle.config.regions)];
  const uiKeys = [...new Set([...bundle.ui.values()].flatMap((m) => Object.keys(m)))].filter((k) =>
    k.includes('_'),
  );
  let users = 0;
  try {
    for (const flow of bundle.flows.values()) {
      for (const [sid, state] of Object.entries(flow.states)) {
        const place = { flow: flow.id, state: sid };
        if (!state.outcome || (only && !only(place))) continue;
        const at = bundle.locate(flow.id, ['states', sid, 'outcome']);
        for (const locale of bundle.config.locales) {
          // Regions the guards cannot tell apart share a walk, hence a path: replay it once, then
          // show the outcome again under each region's hint (as a person who says where they are).
          const groups = new Map<Walk, (string | null)[]>();
          for (const region of regions) {
            const w = walkFor(exploration.walks, locale, region, bundle.config.defaultLocale);
            if (w) groups.set(w, [...(groups.get(w) ?? []), region]);
          }
          for (const [w, group] of groups) {
            const path = bestPathTo(w, placeKey(place));
            // Not reachable for these people (a decision by region or locale leads elsewhere).
            if (!path) continue;
            const user = `render:${++users}`;
            let replayed: TurnResult | undefined | 'not-replayable';
            for (const region of group) {
              const add = (message: string, severity: RenderProblem['severity'] = 'error') =>
                problems.push({ place, locale, region, message, at, severity });
              const hints = { locale, ...(region ? { region } : {}) };
              let last: TurnResult | undefined;
              if (replayed === undefined) {
                const r = await replay(engine, bundle, user, path, locale, hints);
                replayed = r.ok ? r.last : 'not-replayable';
                if (!r.ok) add(`not rendered: ${r.reason}`, 'note');
                last = r.ok ? r.last : undefined;
              } else if (replayed !== 'not-replayable') {
                last = await engine.handle(toInbound(user, { kind: 'choose', id: '_more' }, hints, 'test'));
              }
              if (replayed === 'not-replayable') continue;
              if (!last || last.flow !== flow.id || last.state !== sid) {
                add(
                  `replaying the generated path ended in ${last ? `${last.flow}.${last.state}` : 'nothing'}, not here`,
                );
                continue;
              }
              rendered += 1;
              for (const message of outcomeProblems(bundle, last, state.outcome, locale, region, uiKeys))
                add(message);
            }
          }
        }
      }
    }
  } finally {
    await engine.close();
  }
  return { rendered, problems };
}

/** Plays a generated path through the engine as a person would: buttons carry their stamps. */
async function replay(
  engine: Engine,
  bundle: Bundle,
  user: string,
  path: readonly Edge[],
  locale: string,
  hints: Hints,
): Promise<{ ok: true; last: TurnResult | undefined } | { ok: false; reason: string }> {
  let last: TurnResult | undefined;
  let stamp: string | undefined;
  for (const edge of path) {
    const a = actionFor(bundle, edge.event, locale);
    if (!a.ok) return { ok: false, reason: a.reason };
    const inbound: Inbound = toInbound(
      user,
      a.action,
      hints,
      'test',
      a.action.kind === 'choose' ? stamp : undefined,
    );
    last = await engine.handle(inbound);
    stamp = [...last.replies].reverse().find((r) => r.stamp)?.stamp;
  }
  return { ok: true, last };
}

function outcomeProblems(
  bundle: Bundle,
  r: TurnResult,
  outcome: { level: string; steps: string[]; resources: string[] },
  locale: string,
  region: string | null,
  uiKeys: readonly string[],
): string[] {
  const out: string[] = [];
  if (!r.outcome) return ['the engine shows no outcome here'];
  if (r.outcome.level !== outcome.level)
    out.push(`outcome level ${r.outcome.level}, the flow says ${outcome.level}`);
  for (const id of outcome.resources) {
    const shown = r.outcome.resources.filter((x) => x.id === id && x.contact.trim() !== '');
    if (shown.length === 0) {
      out.push(
        `resource ${id} shows no contact for region ${region ?? 'unknown'} (no entry, no default, or only UNVERIFIED numbers)`,
      );
    }
  }
  for (const id of outcome.steps) {
    if (!bundle.steps.get(id)?.[locale]?.trim()) out.push(`step ${id} has no ${locale} text`);
  }
  const text = r.replies.map((x) => x.text).join('\n');
  for (const key of uiKeys) {
    if (new RegExp(`(^|[^\\w])${key}([^\\w]|$)`).test(text))
      out.push(`engine string "${key}" is missing in ${locale} (shown as its key)`);
  }
  if (/\bundefined\b|\[object Object\]/.test(text))
    out.push('a reply contains "undefined" or "[object Object]"');
  const regional = outcome.resources.some(
    (id) => Object.keys(bundle.resources.get(id)?.regions ?? {}).length > 1,
  );
  const asks = r.replies.some((x) => x.choices?.some((c) => c.id.startsWith('_region:')));
  if (region === null && regional && !asks)
    out.push('region unknown, but the outcome does not ask where the person is');
  return out;
}
