/**
 * What the adapter remembers per person, in memory only and bounded: the bot's recent messages,
 * so a quick hide can delete them. Forgotten on /forget; lost on restart, which costs nothing but
 * an older message left on screen.
 */

/** A message the bot sent: in a DM channel, or through an interaction's webhook (ephemeral ones). */
export type SentMessage =
  | { kind: 'channel'; channelId: string; id: string }
  | { kind: 'webhook'; token: string; id: string; at: number };

const PER_PERSON = 30;
const PEOPLE = 10_000;
/** Interaction tokens stop working after 15 minutes. */
export const TOKEN_LIFETIME_MS = 15 * 60_000;

export interface Recent {
  sent(user: string, message: SentMessage): void;
  /** The person's remembered messages, newest first, and forgets them. */
  take(user: string, now?: number): SentMessage[];
  forget(user: string): void;
}

export function recentMemory(): Recent {
  const messages = new Map<string, SentMessage[]>();
  /** Map keeps insertion order: re-inserting marks a person as recent; the oldest goes first. */
  const touch = <V>(map: Map<string, V>, key: string, value: V) => {
    map.delete(key);
    map.set(key, value);
    if (map.size > PEOPLE) map.delete(map.keys().next().value as string);
  };
  return {
    sent(user, message) {
      touch(messages, user, [...(messages.get(user) ?? []), message].slice(-PER_PERSON));
    },
    take(user, now = Date.now()) {
      const list = messages.get(user) ?? [];
      messages.delete(user);
      return list.filter((m) => m.kind === 'channel' || now - m.at < TOKEN_LIFETIME_MS).reverse();
    },
    forget(user) {
      messages.delete(user);
    },
  };
}
