/**
 * The engine's replies → Discord message payloads. Discord's limits: 2000 characters a message,
 * 5 buttons a row, 5 rows, labels of 80; a longer list of choices becomes a select menu.
 * Plain content: markdown in the text is escaped so nothing a person typed can format or link.
 */
import { escapeMarkdown } from 'discord.js';
import type { ChoiceView, Reply } from '../../src/index.ts';
import { encodeCustomId } from './custom-id.ts';

export const CONTENT_LIMIT = 2000;
const BUTTONS_PER_ROW = 5;
const MAX_ROWS = 5;
const LABEL_LIMIT = 80;
const SELECT_OPTIONS = 25;

/** Raw API component JSON: discord.js accepts it as-is and the fake can read it back. */
export interface Payload {
  content: string;
  components: object[];
}

export function renderReplies(replies: readonly Reply[], extra: ChoiceView[] = []): Payload[] {
  const out: Payload[] = [];
  let pending: string[] = [];
  const flush = (components: object[]) => {
    const chunks = splitContent(pending.join('\n\n'));
    pending = [];
    if (chunks.length === 0 && components.length > 0) chunks.push('…');
    for (const [i, content] of chunks.entries()) {
      out.push({ content, components: i === chunks.length - 1 ? components : [] });
    }
  };
  replies.forEach((reply, i) => {
    if (reply.text.trim()) pending.push(escapeMarkdown(reply.text));
    const last = i === replies.length - 1;
    const choices = [...(reply.choices ?? []), ...(last ? extra : [])];
    if (choices.length > 0) flush(componentsOf(choices, reply.stamp));
  });
  if (pending.length > 0) flush(extra.length > 0 ? componentsOf(extra, undefined) : []);
  return out;
}

export function componentsOf(choices: readonly ChoiceView[], stamp: string | undefined): object[] {
  const items = choices.flatMap((c) => {
    const custom_id = encodeCustomId(c.id, stamp);
    return custom_id ? [{ id: c.id, custom_id, label: truncate(c.label, LABEL_LIMIT) }] : [];
  });
  if (items.length <= BUTTONS_PER_ROW * MAX_ROWS) {
    const rows: object[] = [];
    for (let i = 0; i < items.length; i += BUTTONS_PER_ROW) {
      rows.push({
        type: 1,
        components: items
          .slice(i, i + BUTTONS_PER_ROW)
          .map((b) => ({ type: 2, style: 2, custom_id: b.custom_id, label: b.label })),
      });
    }
    return rows;
  }
  // More than 25 choices: select menus of 25 options each, the choice id as the value.
  const rows: object[] = [];
  for (let i = 0; i < items.length && rows.length < MAX_ROWS; i += SELECT_OPTIONS) {
    rows.push({
      type: 1,
      components: [
        {
          type: 3,
          custom_id: encodeCustomId(`_select${i}`, stamp) ?? `|_select${i}`,
          options: items.slice(i, i + SELECT_OPTIONS).map((b) => ({ label: b.label, value: b.id })),
        },
      ],
    });
  }
  return rows;
}

export function splitContent(text: string, limit = CONTENT_LIMIT): string[] {
  const out: string[] = [];
  let rest = text.trim();
  while (rest.length > limit) {
    let cut = rest.lastIndexOf('\n', limit);
    if (cut < limit / 2) cut = rest.lastIndexOf(' ', limit);
    if (cut < limit / 2) cut = limit;
    // Never split a surrogate pair.
    if (/[\ud800-\udbff]/.test(rest[cut - 1] ?? '')) cut--;
    out.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) out.push(rest);
  return out;
}

function truncate(s: string, n: number): string {
  const chars = [...s];
  return chars.length <= n ? s : `${chars.slice(0, n - 1).join('')}…`;
}
