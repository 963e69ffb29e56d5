/**
 * The persisted session: where the conversation is, its memory, and what the user chose.
 * Decoding never throws: an unreadable record becomes a fresh start with a notice.
 */
import { randomFillSync } from 'node:crypto';
import type { ConvoContext } from '../flow/context.ts';

/**
 * A turn changes a session's own fields, never anything nested in place (the statechart's context,
 * arrays, `chose`): a shallow copy is a stable record of the turn.
 */
export interface Session {
  v: 1;
  /** Hash of the flows this session was saved under. */
  hash: string;
  flow: string;
  state: string;
  ctx: ConvoContext;
  /** Random per session: buttons carry it, so a button from another session is recognised. */
  nonce: string;
  /** Increases whenever the state changes: buttons from an earlier prompt are recognised as stale. */
  seq: number;
  created: number;
  at: number;
  turns: number;
  /** Whether the user picked the language / region themselves (then hints no longer apply). */
  chose?: { locale?: true; region?: true };
  /** Free text the user chose to add to their evidence summary. Never logged. */
  notes?: string[];
  /** Ids of the last platform updates handled, so a redelivered update is not applied twice. */
  seen?: string[];
}

/** How many update ids a session remembers: enough for any redelivery burst, small on disk. */
export const SEEN_LIMIT = 8;

export type Restored =
  | { kind: 'ok'; session: Session }
  | { kind: 'none' }
  | { kind: 'corrupt' }
  | { kind: 'changed' }
  | { kind: 'expired' };

/** Random bytes drawn in bulk: one system call per thousand new conversations, not one each. */
const pool = Buffer.alloc(3072);
let poolAt = pool.length;

export function newNonce(): string {
  if (poolAt + 3 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  poolAt += 3;
  // Three bytes are exactly four base64url characters.
  return pool.toString('base64url', poolAt - 3, poolAt);
}

export function stampOf(s: Pick<Session, 'nonce' | 'seq'>): string {
  return `${s.nonce}${s.seq.toString(36)}`;
}

export function parseStamp(stamp: string): { nonce: string; seq: number } | undefined {
  if (!/^[A-Za-z0-9_-]{5,12}$/.test(stamp)) return undefined;
  const seq = Number.parseInt(stamp.slice(4), 36);
  return Number.isFinite(seq) ? { nonce: stamp.slice(0, 4), seq } : undefined;
}

export function decodeSession(data: string | undefined, hash: string, now: number, idleMs: number): Restored {
  if (data === undefined) return { kind: 'none' };
  let s: Session;
  try {
    s = JSON.parse(data) as Session;
  } catch {
    return { kind: 'corrupt' };
  }
  if (!isSession(s)) return { kind: 'corrupt' };
  if (s.hash !== hash) return { kind: 'changed' };
  if (now - s.at > idleMs) return { kind: 'expired' };
  return { kind: 'ok', session: s };
}

function isSession(s: unknown): s is Session {
  if (typeof s !== 'object' || s === null) return false;
  const r = s as Partial<Session>;
  return (
    r.v === 1 &&
    typeof r.hash === 'string' &&
    typeof r.flow === 'string' &&
    typeof r.state === 'string' &&
    typeof r.nonce === 'string' &&
    typeof r.seq === 'number' &&
    typeof r.at === 'number' &&
    typeof r.ctx === 'object' &&
    r.ctx !== null &&
    Array.isArray(r.ctx.flags) &&
    Array.isArray(r.ctx.trail) &&
    typeof r.ctx.locale === 'string'
  );
}

export function encodeSession(s: Session): string {
  return JSON.stringify(s);
}
