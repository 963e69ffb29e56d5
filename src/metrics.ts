/**
 * Prometheus metrics for operators. A private registry (not prom-client's global one), so two
 * engines in one process (tests, benchmarks) never collide. Labels are bounded sets only
 * (channel, flow id, risk level, error kind): never a user id or text.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { TurnObservation } from './engine/types.ts';

export interface Metrics {
  readonly registry: Registry;
  /** The Content-Type to answer /metrics with. */
  readonly contentType: string;
  observeTurn(o: TurnObservation): void;
  setLiveConversations(n: number): void;
  /** A queue whose length is read at each scrape (e.g. an adapter's outgoing message queue). */
  registerQueueDepth(fn: () => number, queue?: string): void;
  render(): Promise<string>;
}

export interface MetricsOptions {
  /** Also export Node.js process metrics (CPU, memory, event loop lag); default true. */
  processMetrics?: boolean;
}

/** Seconds: a turn is normally well under 50 ms; store trouble shows up in the upper buckets. */
const TURN_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(opts: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const turns = new Counter({
    name: 'safestep_turns_total',
    help: 'Turns handled (every message or button press), by channel.',
    labelNames: ['channel'] as const,
    registers,
  });
  const latency = new Histogram({
    name: 'safestep_turn_duration_seconds',
    help: 'Time to handle one turn, lock to save, by channel.',
    labelNames: ['channel'] as const,
    buckets: TURN_BUCKETS,
    registers,
  });
  const flowsStarted = new Counter({
    name: 'safestep_flows_started_total',
    help: 'Conversations that entered a flow, by flow.',
    labelNames: ['flow'] as const,
    registers,
  });
  const outcomes = new Counter({
    name: 'safestep_outcomes_total',
    help: 'Conversations that reached an outcome, by flow and risk level.',
    labelNames: ['flow', 'level'] as const,
    registers,
  });
  const errors = new Counter({
    name: 'safestep_errors_total',
    help: 'Turns answered with "try again" or "slow down", by kind.',
    labelNames: ['kind'] as const,
    registers,
  });
  const live = new Gauge({
    name: 'safestep_live_conversations',
    help: 'Conversations active recently in this process.',
    registers,
  });
  const queues = new Map<string, () => number>();
  new Gauge({
    name: 'safestep_outgoing_queue_depth',
    help: 'Messages waiting to be sent to a platform, by queue.',
    labelNames: ['queue'] as const,
    registers,
    collect() {
      this.reset();
      for (const [queue, depth] of queues) this.set({ queue }, safeDepth(depth));
    },
  });
  // Known error kinds start at zero, so a rate() query works before the first failure.
  for (const kind of ['store_unavailable', 'conflict', 'internal', 'rate_limited'] as const)
    errors.inc({ kind }, 0);

  return {
    registry,
    contentType: registry.contentType,
    observeTurn(o) {
      turns.inc({ channel: o.channel });
      latency.observe({ channel: o.channel }, o.ms / 1000);
      if (o.flowStarted) flowsStarted.inc({ flow: o.flowStarted });
      if (o.outcome) outcomes.inc({ flow: o.outcome.flow, level: o.outcome.level });
      if (o.error) errors.inc({ kind: o.error });
    },
    setLiveConversations(n) {
      live.set(n);
    },
    registerQueueDepth(fn, queue = 'default') {
      queues.set(queue, fn);
    },
    render: () => registry.metrics(),
  };
}

/** A broken depth callback must not break the whole scrape. */
function safeDepth(fn: () => number): number {
  try {
    const n = fn();
    return Number.isFinite(n) ? n : 0;
  } catch {
    return 0;
  }
}
