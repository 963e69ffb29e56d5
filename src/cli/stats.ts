/**
 * `safestep stats`: what operators may know, from the anonymous counters the engine keeps in the
 * store. Names: `flow_started:<flow>`, `outcome:<flow>:<level>`, `at_state:<flow>.<state>` (how many
 * conversations sit in that state now: where people are, or where they stopped), `locale:<locale>`,
 * `region:<region>`. Nothing here ever names a person.
 */
import { RISK_LEVELS } from '../engine/types.ts';

export interface Tally {
  name: string;
  count: number;
}

export interface StatsSummary {
  flows: Tally[];
  /** By risk level, most severe first. */
  levels: Tally[];
  /** Outcomes per flow, each with its levels most severe first. */
  outcomesByFlow: { flow: string; levels: Tally[] }[];
  /** Conversations sitting in each state now, per flow, most first. */
  dropOff: { flow: string; states: Tally[] }[];
  locales: Tally[];
  regions: Tally[];
}

export function summarizeStats(counters: Record<string, number>): StatsSummary {
  const flows = new Map<string, number>();
  const levels = new Map<string, number>();
  const outcomes = new Map<string, Map<string, number>>();
  const states = new Map<string, Map<string, number>>();
  const locales = new Map<string, number>();
  const regions = new Map<string, number>();
  for (const [name, raw] of Object.entries(counters)) {
    const count = Number(raw);
    if (!Number.isFinite(count)) continue;
    const [kind, ...rest] = name.split(':');
    const tail = rest.join(':');
    if (!tail) continue;
    switch (kind) {
      case 'flow_started':
        add(flows, tail, count);
        break;
      case 'outcome': {
        const cut = tail.lastIndexOf(':');
        if (cut <= 0) break;
        const [flow, level] = [tail.slice(0, cut), tail.slice(cut + 1)];
        add(levels, level, count);
        add(nested(outcomes, flow), level, count);
        break;
      }
      case 'at_state': {
        const dot = tail.indexOf('.');
        if (dot <= 0) break;
        add(nested(states, tail.slice(0, dot)), tail.slice(dot + 1), count);
        break;
      }
      case 'locale':
        add(locales, tail, count);
        break;
      case 'region':
        add(regions, tail, count);
        break;
    }
  }
  return {
    flows: ranked(flows),
    levels: byLevel(levels),
    outcomesByFlow: [...outcomes]
      .map(([flow, m]) => ({ flow, levels: byLevel(m) }))
      .sort((a, b) => total(b.levels) - total(a.levels) || a.flow.localeCompare(b.flow)),
    dropOff: [...states]
      .map(([flow, m]) => ({ flow, states: ranked(m) }))
      .filter((f) => f.states.length > 0)
      .sort((a, b) => total(b.states) - total(a.states) || a.flow.localeCompare(b.flow)),
    locales: ranked(locales),
    regions: ranked(regions),
  };
}

export function formatStats(counters: Record<string, number>): string {
  const s = summarizeStats(counters);
  if (s.flows.length + s.levels.length + s.dropOff.length + s.locales.length + s.regions.length === 0) {
    return 'No conversations counted yet.\n';
  }
  const out: string[] = [];
  section(out, 'Conversations by flow', s.flows);
  section(out, 'Outcomes by risk level', s.levels);
  if (s.outcomesByFlow.length > 0) {
    out.push('Outcomes by flow');
    const width = Math.max(...s.outcomesByFlow.map((f) => f.flow.length));
    for (const f of s.outcomesByFlow) {
      out.push(`  ${f.flow.padEnd(width)}  ${f.levels.map((l) => `${l.name} ${l.count}`).join(' · ')}`);
    }
    out.push('');
  }
  if (s.dropOff.length > 0) {
    out.push('Where conversations are now (drop-off by state)');
    for (const f of s.dropOff) {
      out.push(`  ${f.flow} (${total(f.states)})`);
      out.push(...rows(f.states, '    '));
    }
    out.push('');
  }
  section(out, 'Languages', s.locales);
  section(out, 'Regions', s.regions);
  return `${out.join('\n').trimEnd()}\n`;
}

// ---------- helpers ----------

function add(m: Map<string, number>, name: string, by: number): void {
  m.set(name, (m.get(name) ?? 0) + by);
}

function nested(m: Map<string, Map<string, number>>, key: string): Map<string, number> {
  let inner = m.get(key);
  if (!inner) {
    inner = new Map();
    m.set(key, inner);
  }
  return inner;
}

/** Positive counts only, most first, then by name: zero means nobody is (or was) there. */
function ranked(m: Map<string, number>): Tally[] {
  return [...m]
    .filter(([, count]) => count > 0)
    .map(([name, count]) => ({ name, count }))
    .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}

/** Most severe level first; levels the engine does not know go last. */
function byLevel(m: Map<string, number>): Tally[] {
  const order = (name: string) => {
    const i = RISK_LEVELS.indexOf(name as (typeof RISK_LEVELS)[number]);
    return i < 0 ? -1 : i;
  };
  return ranked(m).sort((a, b) => order(b.name) - order(a.name) || a.name.localeCompare(b.name));
}

function total(t: Tally[]): number {
  return t.reduce((sum, x) => sum + x.count, 0);
}

function section(out: string[], title: string, tallies: Tally[]): void {
  if (tallies.length === 0) return;
  out.push(`${title} (${total(tallies)})`, ...rows(tallies, '  ', total(tallies)), '');
}

function rows(tallies: Tally[], indent: string, whole?: number): string[] {
  const nameWidth = Math.max(...tallies.map((t) => t.name.length));
  const countWidth = Math.max(...tallies.map((t) => String(t.count).length));
  return tallies.map((t) => {
    const share = whole ? `  ${String(Math.round((100 * t.count) / whole)).padStart(3)}%` : '';
    return `${indent}${t.name.padEnd(nameWidth)}  ${String(t.count).padStart(countWidth)}${share}`;
  });
}
