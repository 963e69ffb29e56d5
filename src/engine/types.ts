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
  /**
   * The platform's id for this update (Telegram update_id, Discord message or interaction id).
   * A redelivered update with an id already handled is answered again without moving the
   * conversation twice: replies are at-least-once, state changes exactly-once.
   */
  id?: string;
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

/** How a turn moved the conversation; feeds coverage (authoring toolkit) and nothing else. */
export interface TraceStep {
  flow: string;
  from: string;
  to: string;
  /** choice id, route intent, decision index (with whether its guard held), or a global command. */
  via:
    | { kind: 'choice'; id: string }
    | { kind: 'route'; intent: string }
    | { kind: 'decide'; index: number }
    | { kind: 'command'; command: CommandName }
    | { kind: 'danger' }
    | { kind: 'intent'; flow: string };
}

/** What one turn cost and did; metrics and statistics subscribe. No user id, no text. */
export interface TurnObservation {
  ms: number;
  channel: string;
  flowStarted?: string;
  outcome?: { flow: string; level: RiskLevel };
  error?: 'store_unavailable' | 'conflict' | 'internal' | 'rate_limited';
}
