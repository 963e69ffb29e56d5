/**
 * Session stores keep one serialized record per conversation, plus anonymous counters.
 * The engine owns the record's format; a store only keeps strings, versions and locks.
 */

/**
 * A record as the engine hands it over: the text, or a function that makes it. A store that writes
 * somewhere calls it at once; the memory store only when someone reads the record back.
 */
export type Data = string | (() => string);

export interface Stored {
  data: string;
  /** Increases on every save; used for compare-and-set across processes. */
  version: number;
}

/** An anonymous counter and what to add to it. */
export type Count = readonly [name: string, by: number];

export interface SaveOptions {
  ttlMs: number;
  /** Refuse the save (StoreConflictError) unless the stored version is still this one (0 = absent). */
  expectVersion?: number;
  /** Counters to add in the same write as the session: both land, or neither. */
  counts?: readonly Count[];
}

export interface SessionStore {
  readonly kind: 'memory' | 'sqlite' | 'redis';
  load(key: string): Promise<Stored | undefined>;
  /** Returns the new version. */
  save(key: string, data: Data, options: SaveOptions): Promise<number>;
  /** Removes every trace of the conversation (used by /forget). */
  delete(key: string): Promise<void>;
  /** Runs fn while no other turn of this conversation runs, across processes for shared stores. */
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** Anonymous counters for operator statistics: never a user id or text in a name. */
  count(name: string, by?: number): Promise<void>;
  counters(): Promise<Record<string, number>>;
  /** Deletes sessions not updated for olderThanMs; returns how many. */
  purge(olderThanMs: number): Promise<number>;
  /** True when the store answers; feeds /readyz. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** A save lost a race with another process: reload and run the turn again. */
export class StoreConflictError extends Error {
  override readonly name = 'StoreConflictError';
}

/** The store could not be reached or answered with an error; the turn is not applied. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
