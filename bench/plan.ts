/**
 * How big each benchmark is and how often it runs: written down once, printed in RESULTS.md.
 * `--quick` shrinks everything for a smoke run (its figures are not comparable, and say so).
 */
import type { ContenderName } from './contenders/contender.ts';

export const SECTIONS = ['updates', 'length', 'limit', 'memory', 'startup', 'engine'] as const;
export type Section = (typeof SECTIONS)[number];

export interface Plan {
  quick: boolean;
  /** `profile`: contenders run once more under the CPU profiler, to show where the time goes. */
  /** `users` hold the conversation for throughput; `latencyUsers` another one, an update at a time. */
  updates: {
    runs: number;
    users: number;
    latencyUsers: number;
    contenders: ContenderName[];
    profile: ContenderName[];
  };
  length: { runs: number; turns: number; users: Partial<Record<ContenderName, number>> };
  limit: { users: number; impatient: number };
  memory: { conversations: number; concurrency: number; contenders: ContenderName[] };
  startup: { runs: number };
  engine: { runs: number; users: number; cycles: number; concurrency: number };
}

export const FULL: Plan = {
  quick: false,
  updates: {
    runs: 3,
    users: 1000,
    latencyUsers: 300,
    contenders: ['echo', 'wizard', 'grammy', 'safestep-memory', 'safestep-sqlite'],
    profile: ['wizard', 'safestep-memory'],
  },
  length: {
    runs: 3,
    turns: 200,
    // grammY replays the whole conversation on every update: a few people already take seconds.
    users: { wizard: 60, grammy: 5, 'safestep-memory': 60, 'safestep-sqlite': 60 },
  },
  limit: { users: 2000, impatient: 0.1 },
  memory: {
    conversations: 10_000,
    concurrency: 500,
    contenders: ['safestep-memory', 'safestep-sqlite', 'wizard', 'grammy'],
  },
  startup: { runs: 3 },
  engine: { runs: 3, users: 2000, cycles: 3, concurrency: 100 },
};

export const QUICK: Plan = {
  quick: true,
  updates: {
    runs: 1,
    users: 50,
    latencyUsers: 20,
    contenders: FULL.updates.contenders,
    profile: ['safestep-memory'],
  },
  length: { runs: 1, turns: 50, users: { wizard: 5, grammy: 2, 'safestep-memory': 5, 'safestep-sqlite': 5 } },
  limit: { users: 60, impatient: 0.1 },
  memory: { conversations: 200, concurrency: 100, contenders: FULL.memory.contenders },
  startup: { runs: 1 },
  engine: { runs: 1, users: 100, cycles: 1, concurrency: 50 },
};
