/**
 * Live statechart actors for recently active conversations. Rehydrating a snapshot and running
 * xstate's pure transition costs several times more than sending to a running actor, so a hot
 * conversation keeps its actor between turns. The store stays the source of truth: an actor is
 * reused only while the stored version is the one it was saved as, so another process's turn
 * (shared Redis) or a failed save simply means a fresh actor from the stored session.
 */
import type { AnyActorRef } from 'xstate';
import type { Session } from './session.ts';

export interface Live {
  version: number;
  session: Session;
  actor: AnyActorRef;
}

export class LiveActors {
  private readonly map = new Map<string, Live>();

  constructor(private readonly capacity: number) {}

  /** The live entry for this user if it matches the stored version; stale entries are dropped. */
  take(user: string, version: number | undefined): Live | undefined {
    const live = this.map.get(user);
    if (!live) return undefined;
    this.map.delete(user);
    if (live.version !== version) {
      live.actor.stop();
      return undefined;
    }
    return live;
  }

  put(user: string, live: Live): void {
    if (this.capacity <= 0) {
      live.actor.stop();
      return;
    }
    this.drop(user);
    this.map.set(user, live);
    // Map keeps insertion order: the first key is the least recently used.
    while (this.map.size > this.capacity) {
      const oldest = this.map.keys().next().value as string;
      this.drop(oldest);
    }
  }

  drop(user: string): void {
    this.map.get(user)?.actor.stop();
    this.map.delete(user);
  }

  get size(): number {
    return this.map.size;
  }
}
