/**
 * The composition root: read the environment, load and check the flows, open the store, start
 * every adapter whose token is set (the terminal chat when none is), and shut down gracefully.
 */
import {
  type AppConfig,
  createEngine,
  createLogger,
  createMetrics,
  type Engine,
  type EngineOptions,
  FlowLoadError,
  formatProblem,
  type HttpServer,
  type Logger,
  loadBundle,
  openStore,
  readConfig,
  type SessionStore,
  startHttp,
} from '../src/index.ts';

export interface Running {
  stop(): Promise<void>;
}

/** Turns still running, so shutdown can let them finish. */
export function trackInflight(engine: Engine): Engine & { inflight(): number; drained(): Promise<void> } {
  let inflight = 0;
  const waiters: (() => void)[] = [];
  return {
    ...engine,
    bundle: engine.bundle,
    store: engine.store,
    liveConversations: () => engine.liveConversations(),
    async handle(inbound) {
      inflight++;
      try {
        return await engine.handle(inbound);
      } finally {
        inflight--;
        if (inflight === 0) for (const w of waiters.splice(0)) w();
      }
    },
    inflight: () => inflight,
    drained: () => (inflight === 0 ? Promise.resolve() : new Promise<void>((r) => waiters.push(r))),
  };
}

/** The engine's settings from the environment, the same in every process that runs SafeStep. */
export function engineOptions(
  config: AppConfig,
): Pick<EngineOptions, 'idleTtlMs' | 'rateLimitPerMinute' | 'defaultLocale' | 'defaultRegion'> {
  return {
    idleTtlMs: config.idleDays * 86_400_000,
    rateLimitPerMinute: config.rateLimitPerMinute,
    ...(config.locale ? { defaultLocale: config.locale } : {}),
    ...(config.region ? { defaultRegion: config.region } : {}),
  };
}

/** Loads flows or explains, line by line, why the bot refuses to start. */
export async function loadOrExplain(dir: string, logger: Logger) {
  try {
    const bundle = await loadBundle(dir);
    for (const w of bundle.warnings) logger.warn({ problem: formatProblem(w) }, 'flow warning');
    return bundle;
  } catch (err) {
    if (err instanceof FlowLoadError) {
      for (const p of err.problems) process.stderr.write(`${formatProblem(p)}\n`);
      process.stderr.write(`SafeStep refuses to start: ${err.problems.length} problem(s) in ${dir}\n`);
      process.exit(1);
    }
    throw err;
  }
}

export async function start(config: AppConfig = readConfig()): Promise<void> {
  const platforms = Boolean(config.telegram || config.discord);
  // The terminal chat owns the screen: only warnings reach it, as readable lines.
  const logger = createLogger({
    level: config.logLevel ?? (platforms ? 'info' : 'warn'),
    pretty: Boolean(process.stderr.isTTY),
  });
  const bundle = await loadOrExplain(config.flowsDir, logger);
  const store = await openStore(config.store, { logger: logger.child({ part: 'store' }) });
  // One HTTP server on PORT for /healthz, /readyz, /metrics and the Telegram webhook. Metrics are
  // only ever read there: without it, nothing is counted (and prom-client is never loaded).
  const serveHttp = platforms && (config.port !== undefined || Boolean(config.telegram?.webhook));
  const metrics = serveHttp ? createMetrics() : undefined;
  const engine = trackInflight(
    createEngine({
      bundle,
      store,
      logger,
      ...engineOptions(config),
      ...(metrics ? { observe: (o) => metrics.observeTurn(o) } : {}),
    }),
  );

  if (!platforms) {
    const { runTerminal } = await import('./console/terminal.ts');
    await runTerminal({ engine });
    await engine.close();
    return;
  }
  const http = metrics
    ? await startHttp({ port: config.port ?? 8080, logger: logger.child({ part: 'http' }), metrics })
    : undefined;
  http?.addReadiness('store', () => store.ping());
  const live = metrics && setInterval(() => metrics.setLiveConversations(engine.liveConversations()), 5_000);
  live?.unref();
  const running = await startPlatforms(config, engine, logger, http);
  logger.info({ adapters: running.length, store: store.kind }, 'SafeStep is running');
  const purge = schedulePurge(store, config.retentionDays, logger);
  installShutdown(async () => {
    clearInterval(purge);
    clearInterval(live);
    await Promise.all(running.map((r) => r.stop()));
    await engine.drained();
    await http?.close();
    await engine.close();
  }, logger);
}

async function startPlatforms(
  config: AppConfig,
  engine: Engine,
  logger: Logger,
  http: HttpServer | undefined,
): Promise<Running[]> {
  const running: Running[] = [];
  if (config.telegram) {
    const { startTelegram } = await import('./telegram/index.ts');
    running.push(
      await startTelegram({
        engine,
        logger: logger.child({ adapter: 'telegram' }),
        ...config.telegram,
        ...(http ? { http } : {}),
      }),
    );
  }
  if (config.discord?.shards !== undefined) {
    const { startShards } = await import('./discord/shards.ts');
    running.push(await startShards({ token: config.discord.token, shards: config.discord.shards, logger }));
  } else if (config.discord) {
    const { startDiscord } = await import('./discord/index.ts');
    running.push(
      await startDiscord({ engine, logger: logger.child({ adapter: 'discord' }), ...config.discord }),
    );
  }
  return running;
}

/** Sessions (and the evidence in them) older than the retention period are deleted hourly. */
export function schedulePurge(store: SessionStore, retentionDays: number, logger: Logger): NodeJS.Timeout {
  const run = () =>
    store.purge(retentionDays * 86_400_000).then(
      (n) => n > 0 && logger.info({ purged: n, retentionDays }, 'old sessions purged'),
      (err) => logger.warn({ err }, 'purge failed; will retry'),
    );
  void run();
  const timer = setInterval(run, 3_600_000);
  timer.unref();
  return timer;
}

/** SIGTERM / SIGINT: stop taking updates, finish turns in flight, close stores, exit 0 within a bound. */
export function installShutdown(stop: () => Promise<void>, logger: Logger, boundMs = 10_000): void {
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ boundMs }, 'shutdown took too long; exiting');
      process.exit(1);
    }, boundMs);
    timer.unref();
    stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}
