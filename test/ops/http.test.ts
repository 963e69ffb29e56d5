import { afterEach, describe, expect, it } from 'vitest';
import { type HttpServer, startHttp } from '../../src/http.ts';
import { createLogger } from '../../src/log.ts';
import { createMetrics } from '../../src/metrics.ts';
import { LogCapture } from './helpers.ts';

let server: HttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(capture = new LogCapture()) {
  server = await startHttp({ port: 0, host: '127.0.0.1', logger: createLogger({ destination: capture }) });
  return { server, base: `http://127.0.0.1:${server.port}`, capture };
}

describe('shared HTTP server', () => {
  it('answers /healthz on an ephemeral port and 404 for unknown paths', async () => {
    const { server: s, base } = await start();
    expect(s.port).toBeGreaterThan(0);
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect((await fetch(`${base}/nothing-here`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`, { method: 'POST' })).status).toBe(404);
  });

  it('/readyz is green only while every readiness check passes', async () => {
    const { server: s, base } = await start();
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    let storeUp = true;
    s.addReadiness('store', async () => storeUp);
    s.addReadiness('telegram', async () => true);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    storeUp = false;
    const red = await fetch(`${base}/readyz`);
    expect(red.status).toBe(503);
    expect(await red.json()).toEqual({ ready: false, checks: { store: false, telegram: true } });
    storeUp = true;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it('a readiness check that throws or hangs counts as not ready', async () => {
    server = await startHttp({
      port: 0,
      host: '127.0.0.1',
      logger: createLogger({ destination: new LogCapture() }),
      readinessTimeoutMs: 100,
    });
    const base = `http://127.0.0.1:${server.port}`;
    server.addReadiness('hangs', () => new Promise<boolean>(() => {}));
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    server.addReadiness('hangs', async () => {
      throw new Error('boom');
    });
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
  });

  it('mounted routes get the request; a failing handler is logged once and answered 500', async () => {
    const { server: s, base, capture } = await start();
    s.route(
      'POST',
      '/hook/s3cr3t-path',
      async (req, res) => {
        let body = '';
        for await (const chunk of req) body += chunk;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ got: JSON.parse(body) }));
      },
      'telegram-webhook',
    );
    s.route(
      'GET',
      '/broken/s3cr3t-path',
      async () => {
        throw new Error('handler exploded');
      },
      'broken',
    );
    const ok = await fetch(`${base}/hook/s3cr3t-path?x=1`, { method: 'POST', body: '{"a":1}' });
    expect(await ok.json()).toEqual({ got: { a: 1 } });
    const bad = await fetch(`${base}/broken/s3cr3t-path`);
    expect(bad.status).toBe(500);
    const errors = capture.lines().filter((l) => l.msg === 'http handler failed');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.route).toBe('broken');
    expect(capture.text()).not.toContain('s3cr3t-path');
  });

  it('/metrics renders the given registry in Prometheus text format', async () => {
    const metrics = createMetrics({ processMetrics: false });
    server = await startHttp({
      port: 0,
      host: '127.0.0.1',
      logger: createLogger({ destination: new LogCapture() }),
      metrics,
    });
    metrics.observeTurn({ ms: 12, channel: 'telegram', flowStarted: 'job-offer' });
    const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('safestep_turns_total{channel="telegram"} 1');
    expect(text).toContain('safestep_flows_started_total{flow="job-offer"} 1');
  });

  it('close() resolves even with an idle keep-alive connection open, and frees the port', async () => {
    const { server: s, base } = await start();
    await fetch(`${base}/healthz`, { keepalive: true });
    await s.close();
    server = undefined;
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});
