/**
 * The engine's vocabulary: what an adapter hands in (Inbound) and what it gets back (TurnResult).
 * Adapters translate platform updates to and from these types and decide nothing else.
 */

/** Global commands that work in every state. */
export const COMMANDS = [
  'start',
  'help',
  'back',
  'restart',
  'language',
  'emergency',
  'forget',
  'hide',
  'check',
  'evidence',
] as const;
export type CommandName = (typeof COMMANDS)[number];

export const RISK_LEVELS = ['none', 'low', 'medium', 'high', 'critical'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** Hints a platform may give about the person; their own choice always wins. */
export interface InboundHints {
  /** Opaque conversation key chosen by the adapter, e.g. `tg:42`, `dc:1234`, `cli:u1`. */
  user: string;
  locale?: string;
  region?: string;
  /** The channel the message came from, for statistics only (telegram, discord, console, jsonl). */
  channel?: string;
}

export type Inbound =
  | (InboundHints & { kind: 'text'; text: string; forwarded?: boolean })
  | (InboundHints & { kind: 'choice'; choice: string; stamp?: string })
  | (InboundHints & { kind: 'command'; command: CommandName; flow?: string; arg?: string });

export interface ChoiceView {
  id: string;
  label: string;
}

export interface Reply {
  text: string;
  choices?: ChoiceView[];
  /** Identifies the prompt these choices belong to; adapters echo it back with a pressed button. */
  stamp?: string;
}

export interface ResourceView {
  id: string;
  label: string;
  contact: string;
  verified: boolean;
}

export interface OutcomeView {
  level: RiskLevel;
  steps: string[];
  resources: ResourceView[];
}

/** Side effects an adapter performs; the engine says what, the adapter knows how. */
export type Effect = { type: 'hide' } | { type: 'forgotten' } | { type: 'locale'; locale: string };

export interface TurnResult {
  user: string;
  replies: Reply[];
  flow: string | null;
  state: string | null;
  risk: { level: RiskLevel; flags: string[] };
  outcome: OutcomeView | null;
  locale: string;
  effects: Effect[];
}
