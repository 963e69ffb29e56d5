/**
 * The conversation's memory inside the statechart. Kept small: it is persisted after every turn.
 */

/** One step taken, so /back can undo it: where we were, what was answered, which flags it added. */
export interface TrailEntry {
  /** `flow.state` left by this step. */
  s: string;
  /** Choice id answered there, if any (feeds the evidence summary). */
  a?: string;
  /** Flags this step added (removed again by /back). */
  f?: string[];
}

export interface ConvoContext {
  flags: string[];
  trail: TrailEntry[];
  locale: string;
  /** Null until the platform, the environment or the user tells us. */
  region: string | null;
}

/** /back reaches this many steps back; older steps are dropped to keep the session small. */
export const TRAIL_LIMIT = 30;

export function initialContext(locale: string, region: string | null): ConvoContext {
  return { flags: [], trail: [], locale, region };
}
