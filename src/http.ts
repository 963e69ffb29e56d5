/**
 * The one HTTP server of a process, on PORT: health for the orchestrator, metrics for Prometheus,
 * and whatever an adapter mounts (the Telegram webhook). Plain node:http, no framework.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createMetrics, type Metrics } from './metrics.ts';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface HttpServer {
  /** The port actually listened on (useful with port 0). */
  readonly port: number;
  /** Metrics rendered at /metrics: the ones passed in, or a fresh registry. */
  readonly metrics: Metrics;
  /**
   * Answers `method path` (exact path, query string ignored). `name` is what logs call the route:
   * a webhook path may hold a secret, so the path itself is never logged.
   */
  route(method: string, path: string, handler: Handler, name?: string): void;
  /** /readyz is 200 only while every check resolves true (within a second). */
  addReadiness(name: string, check: () => Promise<boolean>): void;
  /** Stops accepting connections, lets requests in flight finish (bounded), then resolves. */
  close(): Promise<void>;
}

export interface HttpOptions {
  port: number;
  /** Default: every interface. Tests pass 127.0.0.1. */
  host?: string;
  logger: Logger;
  metrics?: Metrics;
  /** How long a readiness check may take before it counts as failed (default 1000 ms). */
  readinessTimeoutMs?: number;
  /** How long close() waits for open requests before cutting connections (default 3000 ms). */
  closeTimeoutMs?: number;
}

interface Route {
  handler: Handler;
  name: string;
}

export async function startHttp(opts: HttpOptions): Promise<HttpServer> {
  const { logger } = opts;
  const metrics = opts.metrics ?? createMetrics();
  const readinessTimeoutMs = opts.readinessTimeoutMs ?? 1000;
  const routes = new Map<string, Route>();
  const checks = new Map<string, () => Promise<boolean>>();
  const keyOf = (method: string, path: string) => `${method.toUpperCase()} ${path}`;

  const builtin = (path: string, handler: Handler) => routes.set(keyOf('GET', path), { handler, name: path });
  builtin('/healthz', (_req, res) => send(res, 200, 'text/plain; charset=utf-8', 'ok\n'));
  builtin('/readyz', async (_req, res) => {
    const results = await runChecks(checks, readinessTimeoutMs);
    const ready = Object.values(results).every(Boolean);
    send(res, ready ? 200 : 503, 'application/json', `${JSON.stringify({ ready, checks: results })}\n`);
  });
  builtin('/metrics', async (_req, res) => send(res, 200, metrics.contentType, await metrics.render()));

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    const route = routes.get(keyOf(method, path));
    if (!route) {
      send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
      return;
    }
    Promise.resolve()
      .then(() => route.handler(req, res))
      .catch((err: unknown) => {
        logger.error({ err, route: route.name, method }, 'http handler failed');
        if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
        else res.end();
      });
  });
  // A client that opens a connection and sends nothing must not hold it forever.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => logger.error({ err }, 'http server error'));
  const port = (server.address() as AddressInfo).port;
  logger.info({ port }, 'http listening');

  let closing: Promise<void> | undefined;
  return {
    port,
    metrics,
    route(method, path, handler, name = 'route') {
      routes.set(keyOf(method, path), { handler, name });
    },
    addReadiness(name, check) {
      checks.set(name, check);
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        const cut = setTimeout(() => server.closeAllConnections(), opts.closeTimeoutMs ?? 3000);
        cut.unref();
        server.close(() => {
          clearTimeout(cut);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

/** Every check in parallel; a check that throws or takes too long counts as not ready. */
async function runChecks(
  checks: Map<string, () => Promise<boolean>>,
  timeoutMs: number,
): Promise<Record<string, boolean>> {
  const entries = await Promise.all(
    [...checks].map(async ([name, check]) => [name, await withTimeout(check, timeoutMs)] as const),
  );
  return Object.fromEntries(entries);
}

async function withTimeout(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      Promise.resolve()
        .then(check)
        .then((ok) => ok === true)
        .catch(() => false),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
