/**
 * Recently active conversations, kept decoded: the session object and its statechart snapshot.
 * Decoding the stored JSON and resolving a snapshot cost more than the turn's own step, so a hot
 * conversation skips both. The store stays the source of truth: an entry is reused only while the
 * stored version is the one it was saved as, so another process's turn (shared Redis) or a failed
 * save simply means decoding the stored session again.
 */
import type { Snapshot } from './chart.ts';
import type { Session } from './session.ts';

export interface Live {
  version: number;
  session: Session;
  /** Resolved again on the next event when the session was changed by hand (/back). */
  snapshot?: Snapshot;
}

export class LiveSessions {
  private readonly map = new Map<string, Live>();

  constructor(private readonly capacity: number) {}

  /**
   * The live entry for this user if it matches the stored version. A turn never changes an entry
   * (it works on a copy of the session; snapshots are values), so one whose save failed stays valid.
   */
  get(user: string, version: number | undefined): Live | undefined {
    const live = this.map.get(user);
    return live && live.version === version ? live : undefined;
  }

  put(user: string, live: Live): void {
    if (this.capacity <= 0) return;
    this.map.delete(user);
    this.map.set(user, live);
    // Map keeps insertion order: the first key is the least recently used.
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as string);
  }

  delete(user: string): void {
    this.map.delete(user);
  }

  get size(): number {
    return this.map.size;
  }
}
