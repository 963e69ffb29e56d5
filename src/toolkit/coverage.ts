/**
 * Coverage of flows by scripted conversations: which states were visited and which transitions
 * (choices, routes, decisions with their guards holding and failing) were taken, from the engine's
 * own trace of every turn. Missing items carry file:line so an author can go straight to them.
 */
import type { TraceStep } from '../engine/types.ts';
import type { Bundle } from '../flow/bundle.ts';
import type { Observed } from './observed.ts';
import {
  choiceKey,
  decideKey,
  describeTransition,
  flowTransitions,
  routeKey,
  type Transition,
} from './transitions.ts';

export interface Located {
  file: string;
  line: number;
  col: number;
}

export interface FlowCoverage {
  flow: string;
  states: { total: number; covered: number; missing: { state: string; at: Located }[] };
  transitions: { total: number; covered: number; missing: { transition: Transition; at: Located }[] };
  /** Percentage of transitions taken (100 for a flow with none). */
  percent: number;
}

/** Collects what scripted conversations did; feed it traces and observations, then ask for a report. */
export class CoverageCollector {
  /** `flow` → keys of transitions taken. */
  private readonly taken = new Map<string, Set<string>>();
  /** `flow` → states visited (rested in, or decided in). */
  private readonly visited = new Map<string, Set<string>>();

  private mark(map: Map<string, Set<string>>, flow: string, key: string): void {
    const set = map.get(flow) ?? new Set<string>();
    set.add(key);
    map.set(flow, set);
  }

  constructor(private readonly bundle: Pick<Bundle, 'flows'>) {}

  trace = (t: TraceStep): void => {
    const via = t.via;
    if (via.kind === 'choice') this.mark(this.taken, t.flow, choiceKey(t.from, via.id));
    else if (via.kind === 'route') this.mark(this.taken, t.flow, routeKey(t.from, via.intent));
    else if (via.kind === 'decide') {
      this.mark(this.taken, t.flow, decideKey(t.from, via.index, true));
      // Every guarded decision before the one taken was tried and failed.
      const decide = this.bundle.flows.get(t.flow)?.states[t.from]?.decide ?? [];
      decide.slice(0, via.index).forEach((d, i) => {
        if (d.when) this.mark(this.taken, t.flow, decideKey(t.from, i, false));
      });
    } else return;
    this.mark(this.visited, t.flow, t.from);
  };

  observe = (o: Observed): void => {
    if (o.flow && o.state) this.mark(this.visited, o.flow, o.state);
  };

  report(
    bundle: Pick<Bundle, 'flows' | 'locate'>,
    flowIds: Iterable<string> = bundle.flows.keys(),
  ): FlowCoverage[] {
    const out: FlowCoverage[] = [];
    for (const id of flowIds) {
      const flow = bundle.flows.get(id);
      if (!flow) continue;
      const taken = this.taken.get(id) ?? new Set<string>();
      const visited = this.visited.get(id) ?? new Set<string>();
      const all = flowTransitions(flow);
      const missing = all
        .filter((t) => !taken.has(t.key))
        .map((t) => ({ transition: t, at: bundle.locate(id, t.path) }));
      const states = Object.keys(flow.states);
      const missingStates = states
        .filter((s) => !visited.has(s))
        .map((s) => ({ state: s, at: bundle.locate(id, ['states', s]) }));
      const covered = all.length - missing.length;
      out.push({
        flow: id,
        states: {
          total: states.length,
          covered: states.length - missingStates.length,
          missing: missingStates,
        },
        transitions: { total: all.length, covered, missing },
        percent: all.length === 0 ? 100 : (100 * covered) / all.length,
      });
    }
    return out;
  }
}

const pct = (n: number) => `${Math.floor(n * 10) / 10}%`;
const at = (l: Located) => `${l.file}:${l.line}:${l.col}`;

export function formatCoverage(reports: FlowCoverage[], opts: { showMissing?: boolean } = {}): string[] {
  const lines: string[] = [];
  const width = Math.max(4, ...reports.map((r) => r.flow.length));
  lines.push(`${'flow'.padEnd(width)}  transitions        states`);
  for (const r of reports) {
    const t = `${r.transitions.covered}/${r.transitions.total} (${pct(r.percent)})`;
    const s = `${r.states.covered}/${r.states.total}`;
    lines.push(`${r.flow.padEnd(width)}  ${t.padEnd(17)}  ${s}`);
  }
  if (opts.showMissing !== false) {
    for (const r of reports) {
      if (r.transitions.missing.length === 0 && r.states.missing.length === 0) continue;
      lines.push('', `${r.flow}: not covered by any scripted conversation`);
      for (const m of r.states.missing) lines.push(`  ${at(m.at)}  state ${m.state} never visited`);
      for (const m of r.transitions.missing) lines.push(`  ${at(m.at)}  ${describeTransition(m.transition)}`);
    }
  }
  return lines;
}
