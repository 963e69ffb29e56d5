/**
 * Understanding turns free text into signals the engine can act on. It is an interface so a
 * model-based classifier can replace the embedded keyword engine without touching the engine.
 */
import type { RiskLevel } from '../engine/types.ts';

/** Why a message means danger now. `in_danger`: the person says so ("SOS", "not safe", 救命). */
export type DangerReason =
  | 'detained'
  | 'passport_taken'
  | 'forced_work'
  | 'threat'
  | 'ransom'
  | 'self_harm'
  | 'in_danger';

export interface IntentScore {
  /** An intent id from flows/understanding/intents.yaml (flow intents such as `job-offer`, or answers such as `yes`). */
  id: string;
  /** 0..1, higher is more confident. */
  score: number;
}

export type RedFlagKind = 'phrase' | 'link' | 'phone' | 'wallet' | 'amount';

export interface RedFlagHit {
  /** A flag id defined in flows/flags/. */
  id: string;
  kind: RedFlagKind;
  /** The matched fragment, for showing back to the user only. Never log it. */
  match: string;
  level: RiskLevel;
}

/** A detail worth keeping for the evidence summary: not a red flag by itself. */
export interface Entity {
  kind: 'link' | 'phone' | 'wallet' | 'amount';
  /** The fragment as typed. Never log it. */
  match: string;
}

export interface Analysis {
  danger: DangerReason[];
  intents: IntentScore[];
  flags: RedFlagHit[];
  /** Links, phone numbers, wallets and amounts found, for the evidence summary. */
  entities?: Entity[];
}

export interface AnalyzeHint {
  locale: string;
  region?: string;
  /** Intent ids that make sense in the current state; an analyzer may favour them. */
  expected?: string[];
}

export interface Understanding {
  analyze(text: string, hint: AnalyzeHint): Analysis;
}
