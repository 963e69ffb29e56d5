/**
 * Prometheus metrics for operators. A private registry (not prom-client's global one), so two
 * engines in one process (tests, benchmarks) never collide. Labels are bounded sets only
 * (channel, flow id, risk level, error kind): never a user id or text.
 */
import { createRequire } from 'node:module';
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
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

interface Spec {
  type: 'counter' | 'gauge' | 'histogram';
  name: string;
  help: string;
  labelNames: readonly string[];
  buckets?: number[];
}

/** Seconds: a turn is normally well under 50 ms; store trouble shows up in the upper buckets. */
const TURN_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const METRICS = {
  turns: {
    type: 'counter',
    name: 'safestep_turns_total',
    help: 'Turns handled (every message or button press), by channel.',
    labelNames: ['channel'],
  },
  latency: {
    type: 'histogram',
    name: 'safestep_turn_duration_seconds',
    help: 'Time to handle one turn, lock to save, by channel.',
    labelNames: ['channel'],
    buckets: TURN_BUCKETS,
  },
  flowsStarted: {
    type: 'counter',
    name: 'safestep_flows_started_total',
    help: 'Conversations that entered a flow, by flow.',
    labelNames: ['flow'],
  },
  outcomes: {
    type: 'counter',
    name: 'safestep_outcomes_total',
    help: 'Conversations that reached an outcome, by flow and risk level.',
    labelNames: ['flow', 'level'],
  },
  errors: {
    type: 'counter',
    name: 'safestep_errors_total',
    help: 'Turns answered with "try again" or "slow down", by kind.',
    labelNames: ['kind'],
  },
  live: {
    type: 'gauge',
    name: 'safestep_live_conversations',
    help: 'Conversations active recently in this process.',
    labelNames: [],
  },
  queueDepth: {
    type: 'gauge',
    name: 'safestep_outgoing_queue_depth',
    help: 'Messages waiting to be sent to a platform, by queue.',
    labelNames: ['queue'],
  },
} as const satisfies Record<string, Spec>;

type Name = keyof typeof METRICS;
type Declared = {
  [N in Name]: { counter: Counter; gauge: Gauge; histogram: Histogram }[(typeof METRICS)[N]['type']];
};

/** Known error kinds start at zero, so a rate() query works before the first failure. */
const ERROR_KINDS = ['store_unavailable', 'conflict', 'internal', 'rate_limited'] as const;

export function createMetrics(opts: MetricsOptions = {}): Metrics {
  // prom-client loads with the first registry: a process without PORT serves no metrics, never pays.
  const client = createRequire(import.meta.url)('prom-client') as typeof import('prom-client');
  const registry = new client.Registry();
  if (opts.processMetrics ?? true) client.collectDefaultMetrics({ register: registry });
  const queues = new Map<string, () => number>();
  /** Gauges read at scrape time rather than set as things happen. */
  const collect: Partial<Record<Name, (gauge: Gauge) => void>> = {
    queueDepth(gauge) {
      gauge.reset();
      for (const [queue, depth] of queues) gauge.set({ queue }, safeDepth(depth));
    },
  };
  const declare = (name: Name, { type, labelNames, ...spec }: Spec) => {
    const config = { ...spec, labelNames: [...labelNames], registers: [registry] };
    if (type === 'counter') return new client.Counter(config);
    if (type === 'histogram') return new client.Histogram(config);
    const onScrape = collect[name];
    return new client.Gauge(onScrape ? { ...config, collect: scrape(onScrape) } : config);
  };
  const m = Object.fromEntries(
    Object.entries(METRICS).map(([name, spec]) => [name, declare(name as Name, spec)]),
  ) as Declared;
  for (const kind of ERROR_KINDS) m.errors.inc({ kind }, 0);

  return {
    registry,
    contentType: registry.contentType,
    observeTurn(o) {
      m.turns.inc({ channel: o.channel });
      m.latency.observe({ channel: o.channel }, o.ms / 1000);
      if (o.flowStarted) m.flowsStarted.inc({ flow: o.flowStarted });
      if (o.outcome) m.outcomes.inc({ flow: o.outcome.flow, level: o.outcome.level });
      if (o.error) m.errors.inc({ kind: o.error });
    },
    setLiveConversations(n) {
      m.live.set(n);
    },
    registerQueueDepth(fn, queue = 'default') {
      queues.set(queue, fn);
    },
    render: () => registry.metrics(),
  };
}

/** prom-client calls `collect` with the gauge as `this`. */
function scrape(fn: (gauge: Gauge) => void): (this: Gauge) => void {
  return function (this: Gauge) {
    fn(this);
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
