/** What a benchmark drives: a bot that takes one Telegram update at a time, each fully handled. */
import type { Update } from '../lib/people.ts';

export const CONTENDERS = ['echo', 'wizard', 'grammy', 'safestep-memory', 'safestep-sqlite'] as const;
export type ContenderName = (typeof CONTENDERS)[number];

export const LABELS: Record<ContenderName, string> = {
  echo: 'raw telegraf echo (floor)',
  wizard: 'telegraf WizardScene + session (memory)',
  grammy: 'grammY + conversations (memory)',
  'safestep-memory': 'SafeStep Telegram adapter, memory store',
  'safestep-sqlite': 'SafeStep Telegram adapter, SQLite store',
};

export interface Contender {
  readonly name: ContenderName;
  /** Resolves when the bot has done everything it does for this update (its API calls included). */
  handle(update: Update): Promise<void>;
  /** Bytes the bot keeps for this chat's conversation, as it would persist them (JSON). */
  storedBytes(chatId: number): Promise<number>;
  close(): Promise<void>;
}

/** A Bot API root nobody answers: every call goes to the stub (see lib/stub-api.ts). */
export const STUB_ROOT = 'http://bot-api.bench.invalid';

export function jsonBytes(value: unknown): number {
  return value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value), 'utf8');
}
