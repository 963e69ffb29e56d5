/**
 * Diagrams of one flow, from its data: Mermaid (renders in GitHub READMEs and reviews) and
 * Graphviz dot. Choices are labelled with their label, routes with the intent, decisions with the
 * guard; outcome states are coloured by level. Hand-offs to other flows are drawn as their own nodes.
 */
import type { RiskLevel } from '../engine/types.ts';
import type { Flow } from '../flow/schema.ts';
import { describeGuard, flowTransitions, labelIn, type Target, type Transition } from './transitions.ts';

export type GraphFormat = 'mermaid' | 'dot';

const LEVEL_COLOURS: Record<RiskLevel, { fill: string; stroke: string }> = {
  none: { fill: '#e3f2e1', stroke: '#2e7d32' },
  low: { fill: '#e3f2e1', stroke: '#2e7d32' },
  medium: { fill: '#fff4cc', stroke: '#b08900' },
  high: { fill: '#ffe0cc', stroke: '#d35400' },
  critical: { fill: '#f8d0d0', stroke: '#b71c1c' },
};

interface Edge {
  from: string;
  to: Target;
  label: string;
}

/** What is drawn: one edge per choice, route and decision taken (a failing guard is the next edge). */
function edgesOf(flow: Flow, locale: string): Edge[] {
  return flowTransitions(flow)
    .filter((t): t is Exclude<Transition, { target: null }> => t.target !== null)
    .map((t) => ({ from: t.state, to: t.target, label: edgeLabel(flow, t, locale) }));
}

function edgeLabel(flow: Flow, t: Exclude<Transition, { target: null }>, locale: string): string {
  if (t.kind === 'choice') {
    const label = labelIn(flow.states[t.state]!.choices![t.index]!.label, locale);
    return t.when ? `${label} [if ${describeGuard(t.when)}]` : label;
  }
  if (t.kind === 'route') return `intent: ${t.intent}`;
  return t.when ? `if ${describeGuard(t.when)}` : 'otherwise';
}

function outcomeLevel(flow: Flow, sid: string): RiskLevel | undefined {
  return flow.states[sid]?.outcome?.level;
}

function stateCaption(flow: Flow, sid: string): string {
  const level = outcomeLevel(flow, sid);
  return level ? `${sid} (outcome: ${level})` : sid;
}

// ---------- Mermaid ----------

/**
 * Mermaid reads `;` as the end of a statement, `%%` as a comment, `"` as the end of a caption and
 * `#…;` as an entity; braces and angle brackets as syntax or HTML. Its entity codes (`#59;`)
 * survive parsing and render as the character. Line breaks would end the statement.
 */
export function mermaidText(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[#;"%{}<>\\]/g, (ch) => `#${ch.codePointAt(0)};`);
}

const mermaidState = (sid: string) => `s_${sid}`;
const mermaidFlow = (fid: string) => `f_${fid.replace(/-/g, '_')}`;

export function toMermaid(flow: Flow, locale = 'en'): string {
  const lines = ['stateDiagram-v2', `  %% flow ${flow.id}: ${mermaidText(labelIn(flow.title, locale))}`];
  const node = (t: Target) => (t.kind === 'state' ? mermaidState(t.state) : mermaidFlow(t.flow));
  for (const sid of Object.keys(flow.states)) {
    lines.push(`  state "${mermaidText(stateCaption(flow, sid))}" as ${mermaidState(sid)}`);
  }
  const edges = edgesOf(flow, locale);
  const otherFlows = [...new Set(edges.flatMap((e) => (e.to.kind === 'flow' ? [e.to.flow] : [])))];
  for (const fid of otherFlows)
    lines.push(`  state "${mermaidText(`→ flow ${fid}`)}" as ${mermaidFlow(fid)}`);
  lines.push(`  [*] --> ${mermaidState(flow.start)}`);
  for (const e of edges) {
    const label = mermaidText(e.label);
    lines.push(`  ${mermaidState(e.from)} --> ${node(e.to)}${label ? ` : ${label}` : ''}`);
  }
  const used = new Set<RiskLevel>();
  for (const sid of Object.keys(flow.states)) {
    const level = outcomeLevel(flow, sid);
    if (level) used.add(level);
  }
  for (const level of used) {
    const c = LEVEL_COLOURS[level];
    lines.push(`  classDef outcome_${level} fill:${c.fill},stroke:${c.stroke},stroke-width:2px`);
  }
  if (otherFlows.length > 0) lines.push('  classDef handoff fill:#eef,stroke:#557,stroke-dasharray:4 3');
  for (const sid of Object.keys(flow.states)) {
    const level = outcomeLevel(flow, sid);
    if (level) lines.push(`  class ${mermaidState(sid)} outcome_${level}`);
  }
  for (const fid of otherFlows) lines.push(`  class ${mermaidFlow(fid)} handoff`);
  return `${lines.join('\n')}\n`;
}

// ---------- Graphviz dot ----------

export function dotString(text: string): string {
  return `"${text.replace(/\s+/g, ' ').trim().replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function toDot(flow: Flow, locale = 'en'): string {
  const lines = [
    `digraph ${dotString(flow.id)} {`,
    `  label=${dotString(labelIn(flow.title, locale))};`,
    '  rankdir=LR;',
    '  node [shape=box, style=rounded, fontname="Helvetica"];',
    '  edge [fontname="Helvetica", fontsize=10];',
    '  __start [shape=point, label=""];',
  ];
  const nodeId = (t: Target) => (t.kind === 'state' ? dotString(t.state) : dotString(`flow:${t.flow}`));
  for (const sid of Object.keys(flow.states)) {
    const level = outcomeLevel(flow, sid);
    const style = level
      ? `, style="rounded,filled", fillcolor=${dotString(LEVEL_COLOURS[level].fill)}, color=${dotString(LEVEL_COLOURS[level].stroke)}, penwidth=2`
      : '';
    lines.push(`  ${dotString(sid)} [label=${dotString(stateCaption(flow, sid))}${style}];`);
  }
  const edges = edgesOf(flow, locale);
  const otherFlows = [...new Set(edges.flatMap((e) => (e.to.kind === 'flow' ? [e.to.flow] : [])))];
  for (const fid of otherFlows) {
    lines.push(
      `  ${dotString(`flow:${fid}`)} [label=${dotString(`→ flow ${fid}`)}, shape=box, style="dashed,rounded"];`,
    );
  }
  lines.push(`  __start -> ${dotString(flow.start)};`);
  for (const e of edges)
    lines.push(`  ${dotString(e.from)} -> ${nodeId(e.to)} [label=${dotString(e.label)}];`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

export function renderGraph(flow: Flow, format: GraphFormat, locale = 'en'): string {
  return format === 'dot' ? toDot(flow, locale) : toMermaid(flow, locale);
}
