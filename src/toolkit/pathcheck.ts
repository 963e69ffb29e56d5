/**
 * The generated-path check as one report: every state reachable, no trap state, emergency
 * reachable from everywhere, every outcome rendering in every locale for every region. Shared by
 * `safestep paths` and the test suite, so both say the same thing in the same words.
 */
import type { Bundle } from '../flow/bundle.ts';
import type { ConvoEvent } from '../flow/compile.ts';
import type { Located } from './coverage.ts';
import { type Exploration, explore, type Place, placeKey } from './explore.ts';
import { checkOutcomeRendering } from './rendering.ts';

export interface PathProblem {
  kind: 'unreachable' | 'trap' | 'no-emergency' | 'render';
  flow: string;
  state: string;
  at: Located;
  message: string;
}

export interface PathReport {
  exploration: Exploration;
  problems: PathProblem[];
  /** What could not be tried, e.g. a route no known phrase reaches. Not failures. */
  notes: string[];
  rendered: number;
  situations: number;
}

export function describeEvents(events: readonly ConvoEvent[]): string {
  if (events.length === 0) return 'the start';
  return events
    .map((e) => {
      if (e.type === 'CHOOSE') return `choose ${e.id}`;
      if (e.type === 'ROUTE') return `say "${e.intent}"`;
      if (e.type === 'GOTO') return `open ${e.flow}`;
      return e.type.toLowerCase();
    })
    .join(' → ');
}

const contextText = (c: { locale: string; region: string | null }) =>
  `${c.locale}, region ${c.region ?? 'unknown'}`;

export async function checkPaths(
  bundle: Bundle,
  flows?: readonly string[],
  opts: { render?: boolean } = {},
): Promise<PathReport> {
  const exploration = explore(bundle);
  const mine = (p: Place) => !flows || flows.includes(p.flow);
  const problems: PathProblem[] = [];
  const seen = new Set<string>();
  const add = (p: PathProblem) => {
    const key = `${p.kind}|${p.flow}|${p.state}|${p.message}`;
    if (!seen.has(key)) problems.push(p);
    seen.add(key);
  };
  const where = (p: Place) => ({
    flow: p.flow,
    state: p.state,
    at: bundle.locate(p.flow, ['states', p.state]),
  });

  for (const p of exploration.unreachable.filter(mine)) {
    add({
      kind: 'unreachable',
      ...where(p),
      message: `state ${p.state} cannot be reached: no generated path gets there (guards included)`,
    });
  }
  // One problem per trapped state: the shortest way in as the example, and how many ways there are.
  const traps = new Map<string, { example: string; count: number; place: Place }>();
  for (const w of exploration.walks) {
    for (const t of w.traps.filter((s) => mine(s.place))) {
      const flags = t.flags.length > 0 ? ` with flags ${t.flags.join(', ')}` : '';
      const example = `${describeEvents(t.events)}${flags} (${contextText(w.context)})`;
      const prior = traps.get(placeKey(t.place));
      traps.set(placeKey(t.place), {
        example: prior?.example ?? example,
        count: (prior?.count ?? 0) + 1,
        place: t.place,
      });
    }
  }
  for (const [key, t] of traps) {
    const more = t.count > 1 ? ` and ${t.count - 1} more way(s) in` : '';
    add({
      kind: 'trap',
      ...where(t.place),
      message: `trap: no outcome can be reached from ${key}; reached by ${t.example}${more}`,
    });
  }
  for (const w of exploration.walks) {
    for (const n of w.noEmergency.filter((x) => mine(x.situation.place))) {
      add({
        kind: 'no-emergency',
        ...where(n.situation.place),
        message: `/emergency from ${placeKey(n.situation.place)} lands in ${placeKey(n.landed)}, not the emergency flow`,
      });
    }
  }
  let rendered = 0;
  const notes: string[] = [];
  if (opts.render !== false) {
    const r = await checkOutcomeRendering(bundle, exploration, mine);
    rendered = r.rendered;
    for (const p of r.problems) {
      const text = `${placeKey(p.place)} in ${p.locale}, region ${p.region ?? 'unknown'}: ${p.message}`;
      if (p.severity === 'note') notes.push(text);
      else add({ kind: 'render', flow: p.place.flow, state: p.place.state, at: p.at, message: text });
    }
  }
  const situations = exploration.walks.reduce((n, w) => n + w.situations.size, 0);
  return { exploration, problems, notes: [...new Set(notes)], rendered, situations };
}

export function formatPathProblem(p: PathProblem): string {
  return `${p.at.file}:${p.at.line}:${p.at.col} ${p.message}`;
}
