/**
 * The engine's replies → Discord message payloads. Discord's limits: 2000 characters a message,
 * 5 buttons a row, 5 rows, labels of 80; a list longer than 25 choices becomes select menus.
 * Consecutive replies are joined into one message until a reply that carries buttons closes it.
 * Text is shown as typed: markdown is escaped (links left intact) so nothing a person typed,
 * and echoed back in a summary, can format, mask a link or ping anyone.
 */
import type { ChoiceView, Reply } from '../../src/index.ts';
import { encodeCustomId } from './custom-id.ts';

export const CONTENT_LIMIT = 2000;
export const BUTTONS_PER_ROW = 5;
export const MAX_ROWS = 5;
export const LABEL_LIMIT = 80;
export const SELECT_OPTIONS = 25;

/** Raw API component JSON: discord.js sends it as-is. */
export interface Payload {
  content: string;
  components: object[];
}

interface Item {
  id: string;
  custom_id: string;
  label: string;
}

/**
 * @param extra the adapter's own buttons (e.g. "continue in DMs"), added to the last message.
 */
export function renderReplies(replies: readonly Reply[], extra: readonly ChoiceView[] = []): Payload[] {
  const out: Payload[] = [];
  let pending: string[] = [];
  const flush = (components: object[]) => {
    const chunks = splitContent(pending.join('\n\n'));
    pending = [];
    // Discord refuses an empty message; buttons still need one to hang on.
    if (chunks.length === 0 && components.length > 0) chunks.push('…');
    for (const [i, content] of chunks.entries()) {
      out.push({ content, components: i === chunks.length - 1 ? components : [] });
    }
  };
  replies.forEach((reply, i) => {
    if (reply.text.trim()) pending.push(plainText(reply.text));
    const last = i === replies.length - 1;
    const choices = reply.choices ?? [];
    if (choices.length > 0 || (last && extra.length > 0)) {
      flush(componentsOf(choices, reply.stamp, last ? extra : []));
    }
  });
  if (pending.length > 0) flush(extra.length > 0 ? componentsOf([], undefined, extra) : []);
  return out;
}

/** Buttons, five to a row; past 25 choices, select menus of 25 each. Extra buttons get their own row. */
export function componentsOf(
  choices: readonly ChoiceView[],
  stamp: string | undefined,
  extra: readonly ChoiceView[] = [],
): object[] {
  const items = toItems(choices, stamp);
  const extras = toItems(extra, undefined);
  const rowsFor = (n: number) => Math.ceil(n / BUTTONS_PER_ROW);
  if (items.length + extras.length <= BUTTONS_PER_ROW * MAX_ROWS) {
    // Extra buttons on a row of their own when there is room, so they don't read as an answer.
    if (rowsFor(items.length) + rowsFor(extras.length) <= MAX_ROWS) {
      return [...buttonRows(items), ...buttonRows(extras)];
    }
    return buttonRows([...items, ...extras]);
  }
  const extraRows = buttonRows(extras).slice(0, 1);
  const menus: object[] = [];
  for (let i = 0; i < items.length && menus.length < MAX_ROWS - extraRows.length; i += SELECT_OPTIONS) {
    const custom_id = encodeCustomId(`_select${i}`, stamp);
    if (!custom_id) continue;
    menus.push({
      type: 1,
      components: [
        {
          type: 3,
          custom_id,
          options: items.slice(i, i + SELECT_OPTIONS).map((b) => ({ label: b.label, value: b.id })),
        },
      ],
    });
  }
  return [...menus, ...extraRows];
}

function toItems(choices: readonly ChoiceView[], stamp: string | undefined): Item[] {
  const seen = new Set<string>();
  return choices.flatMap((c) => {
    const custom_id = encodeCustomId(c.id, stamp);
    // Discord refuses two components with the same custom_id in one message.
    if (!custom_id || seen.has(custom_id)) return [];
    seen.add(custom_id);
    return [{ id: c.id, custom_id, label: truncate(c.label.trim() || c.id, LABEL_LIMIT) }];
  });
}

function buttonRows(items: readonly Item[]): object[] {
  const rows: object[] = [];
  for (let i = 0; i < items.length && rows.length < MAX_ROWS; i += BUTTONS_PER_ROW) {
    rows.push({
      type: 1,
      components: items
        .slice(i, i + BUTTONS_PER_ROW)
        .map((b) => ({ type: 2, style: 2, custom_id: b.custom_id, label: b.label })),
    });
  }
  return rows;
}

/** Splits at a paragraph, line or word boundary, never inside a character or an escape. */
export function splitContent(text: string, limit = CONTENT_LIMIT): string[] {
  const out: string[] = [];
  let rest = text.trim();
  while (rest.length > limit) {
    let cut = rest.lastIndexOf('\n\n', limit);
    if (cut < limit / 2) cut = rest.lastIndexOf('\n', limit);
    if (cut < limit / 2) cut = rest.lastIndexOf(' ', limit);
    if (cut < limit / 2) cut = limit;
    if (/[\ud800-\udbff]/.test(rest[cut - 1] ?? '')) cut--;
    // An escaping backslash stays with the character it escapes.
    while (cut > 1 && rest[cut - 1] === '\\') cut--;
    out.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) out.push(rest);
  return out;
}

const LINK = /https?:\/\/[^\s<>"]+/g;

/** Escapes Discord markdown outside links; a link keeps its exact characters so it still works. */
export function plainText(text: string): string {
  let out = '';
  let at = 0;
  for (const m of text.matchAll(LINK)) {
    out += escapeMarkdown(text.slice(at, m.index));
    out += m[0];
    at = m.index + m[0].length;
  }
  return out + escapeMarkdown(text.slice(at));
}

function escapeMarkdown(s: string): string {
  return (
    s
      // bold, italics, underline, strikethrough, code, spoilers, and the escape itself
      .replace(/[\\*_~`|]/g, '\\$&')
      // masked links: [label](url)
      .replace(/\[([^\]\n]*)\]\(/g, '\\[$1\\](')
      // headings, subtext and quotes at the start of a line
      .replace(/^([ \t]*)(#{1,3} |-# |>>> |> )/gm, '$1\\$2')
      // mentions and channel links (<@id>, <#id>, <@&id>) show as typed; pings are off anyway
      .replace(/<(?=[@#])/g, '\\<')
  );
}

function truncate(s: string, n: number): string {
  const chars = [...s];
  return chars.length <= n ? s : `${chars.slice(0, n - 1).join('')}…`;
}
