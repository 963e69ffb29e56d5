/**
 * Discord events → engine turns. Pure: the conversation key is `dc:<user id>`, whether the person
 * writes in DMs, uses the slash command in a server or presses a button, so it is one conversation.
 */
import { type Inbound, parseCommand } from '../../src/index.ts';

const CHANNEL = 'discord';
/** A flow id as a deep link or a `/start job-offer` may carry it. */
const FLOW_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export const userKey = (discordUserId: string) => `dc:${discordUserId}`;

interface Base {
  userId: string;
  /** The message or interaction id: a redelivered event is not applied twice. */
  id?: string;
  locale?: string | undefined;
}

function hints(b: Base) {
  return {
    user: userKey(b.userId),
    channel: CHANNEL,
    ...(b.id ? { id: b.id } : {}),
    ...(b.locale ? { locale: b.locale } : {}),
  };
}

/** A direct message: a command (`/start job-offer`, `/help`) or words. */
export function dmInbound(b: Base & { content: string }): Inbound {
  const h = hints(b);
  const cmd = parseCommand(b.content);
  if (!cmd) return { ...h, kind: 'text', text: b.content };
  if (cmd.command === 'start') {
    const flow = cmd.arg && FLOW_ID.test(cmd.arg) ? cmd.arg : undefined;
    return { ...h, kind: 'command', command: 'start', ...(flow ? { flow } : {}) };
  }
  return { ...h, kind: 'command', command: cmd.command, ...(cmd.arg ? { arg: cmd.arg } : {}) };
}

/**
 * `/safestep [topic] [text]`: a topic opens that flow; text is checked as a message the person
 * received; both do both, in that order. Neither shows where the person is (a welcome if new).
 */
export function slashInbounds(b: Base & { topic?: string | null; text?: string | null }): Inbound[] {
  const h = hints(b);
  const topic = b.topic?.trim();
  const text = b.text?.trim();
  const turns: Inbound[] = [];
  if (topic) turns.push({ ...h, kind: 'command', command: 'start', flow: topic });
  // Each turn its own id: an id marks a turn as applied.
  const textId = b.id && topic ? `${b.id}:text` : b.id;
  if (text) turns.push({ ...hints({ ...b, id: textId }), kind: 'text', text, forwarded: true });
  if (turns.length === 0) turns.push(showWhereWeAre(b));
  return turns;
}

/** The engine's "show the current step" choice: a kind answer that never moves the conversation. */
export function showWhereWeAre(b: Base): Inbound {
  return { ...hints({ ...b, id: undefined }), kind: 'choice', choice: '_more' };
}

/** A pressed button or a pick in a select menu. */
export function choiceInbound(b: Base & { choice: string; stamp?: string }): Inbound {
  return { ...hints(b), kind: 'choice', choice: b.choice, ...(b.stamp ? { stamp: b.stamp } : {}) };
}

/** The person's Discord language, else the server's. */
export function localeOf(i: { locale?: string | null; guildLocale?: string | null }): string | undefined {
  return i.locale || i.guildLocale || undefined;
}
