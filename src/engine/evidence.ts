/**
 * The evidence pack: a summary the person can hand to their bank or the police, in their language,
 * built from their answers and the details they chose to add. It lives only in the session and in
 * the reply; it is never logged.
 */
import type { ConvoContext } from '../flow/context.ts';
import type { FlowModel } from '../flow/model.ts';
import type { Understanding } from '../understand/types.ts';
import { flowTitle, local, stateOf, ui } from './render.ts';

type Model = Pick<FlowModel, 'config' | 'flows' | 'steps' | 'flags' | 'resources' | 'ui'>;

/** Bounds keep a summary within one message per platform even when someone pastes a novel. */
const MAX_NOTE = 300;
const MAX_NOTES = 10;

export function addNote(notes: readonly string[] | undefined, text: string): string[] {
  const clean = sanitize(text).slice(0, MAX_NOTE);
  return [...(notes ?? []), clean].slice(-MAX_NOTES);
}

/** Removes control and invisible characters, so echoed text cannot reshape the message. */
export function sanitize(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '')
    .trim();
}

export function evidenceText(
  model: Model,
  understanding: Understanding,
  flow: string,
  ctx: ConvoContext,
  notes: readonly string[],
  now: Date,
): string {
  const L = ctx.locale;
  const lines = [
    ui(model, L, 'evidence_heading', { date: `${now.toISOString().slice(0, 16).replace('T', ' ')} UTC` }),
  ];
  lines.push(ui(model, L, 'evidence_topic', { topic: flowTitle(model, flow, L) }));

  const answers = ctx.trail.flatMap((t) => {
    if (!t.a) return [];
    const [f, s] = splitKey(t.s);
    const state = stateOf(model, f, s);
    const choice = state?.choices?.find((c) => c.id === t.a);
    if (!state || !choice) return [];
    const say = state.say === undefined ? undefined : Array.isArray(state.say) ? state.say.at(-1) : state.say;
    const question = say ? firstLine(local(say, L, model)) : '';
    return [`• ${question} → ${local(choice.label, L, model)}`];
  });
  if (answers.length > 0) lines.push('', ui(model, L, 'evidence_answers'), ...answers);

  const flags = ctx.flags.flatMap((f) => {
    const def = model.flags.get(f);
    return def ? [`• ${local(def.explain, L, model)}`] : [];
  });
  if (flags.length > 0) lines.push('', ui(model, L, 'evidence_flags'), ...flags);

  if (notes.length > 0) {
    lines.push('', ui(model, L, 'evidence_notes'), ...notes.map((n) => `• ${n}`));
    const details = new Set<string>();
    for (const n of notes) {
      for (const e of understanding.analyze(n, { locale: L }).entities ?? []) details.add(sanitize(e.match));
    }
    if (details.size > 0)
      lines.push('', ui(model, L, 'evidence_details'), ...[...details].map((d) => `• ${d}`));
  } else {
    lines.push('', ui(model, L, 'evidence_none'));
  }
  lines.push('', ui(model, L, 'evidence_footer'));
  return lines.join('\n');
}

export function splitKey(key: string): [string, string] {
  const i = key.indexOf('.');
  return i < 0 ? [key, ''] : [key.slice(0, i), key.slice(i + 1)];
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 120 ? `${line.slice(0, 117)}…` : line;
}
