/**
 * What a scripted step can observe after a turn, whichever channel carried it (engine, terminal
 * JSONL, Telegram, Discord). Expectations are checked against this and nothing else, so the same
 * script means the same thing on every channel.
 */
import type { RiskLevel } from '../engine/types.ts';

export interface ObservedReply {
  text: string;
  choices: { id: string; label: string }[];
}

export interface Observed {
  replies: ObservedReply[];
  flow: string | null;
  state: string | null;
  risk: RiskLevel;
  flags: string[];
  /** Level, and the ids of the safe steps and resources the outcome shows. */
  outcome: { level: RiskLevel; steps: string[]; resources: string[] } | null;
}

/** Every choice id offered by the turn's replies, in order, once each. */
export function offeredIds(o: Pick<Observed, 'replies'>): string[] {
  return [...new Set(o.replies.flatMap((r) => r.choices.map((c) => c.id)))];
}
