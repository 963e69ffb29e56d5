/**
 * Redis for tests: the shared server at 127.0.0.1:6379 (db 13, a random prefix per test file,
 * cleaned by prefix only), and private throwaway servers we may kill and restart at will.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export const SHARED_DB = 13;
export const SHARED_URL = `redis://127.0.0.1:6379/${SHARED_DB}`;

export function testPrefix(tag: string): string {
  return `safestep-test:${tag}:${randomUUID().slice(0, 8)}:`;
}

/** Keys under a prefix on the shared server (SCAN, never KEYS *). */
export async function keysUnder(prefix: string, url = SHARED_URL): Promise<string[]> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await r.connect();
  try {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await r.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 1000);
      cursor = next;
      found.push(...batch);
    } while (cursor !== '0');
    return found;
  } finally {
    r.disconnect();
  }
}

/** Deletes only this prefix's keys: other test files and other work share the server. */
export async function flushPrefix(prefix: string, url = SHARED_URL): Promise<void> {
  const keys = await keysUnder(prefix, url);
  if (keys.length === 0) return;
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await r.connect();
  try {
    for (let i = 0; i < keys.length; i += 500) await r.del(...keys.slice(i, i + 500));
  } finally {
    r.disconnect();
  }
}

function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A private redis-server on a free port, persisting every write to an append-only file in a temp
 * dir, so a kill -9 and restart keeps what was acknowledged (as a production Redis with AOF would).
 */
export class PrivateRedis {
  private proc: ChildProcess | undefined;
  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(): Promise<PrivateRedis> {
    const r = new PrivateRedis(await freePort(), mkdtempSync(join(tmpdir(), 'safestep-redis-')));
    await r.restart();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  async restart(): Promise<void> {
    if (this.proc) throw new Error('already running');
    const proc = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--daemonize',
        'no',
        '--loglevel',
        'warning',
      ],
      { stdio: 'ignore' },
    );
    this.proc = proc;
    proc.once('exit', () => {
      if (this.proc === proc) this.proc = undefined;
    });
    await this.waitUntil(true);
  }

  /** Kill -9: no goodbye to clients, as when a machine or container dies. */
  async kill(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
    this.proc = undefined;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async waitUntil(up: boolean): Promise<void> {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const r = new Redis({
        port: this.port,
        host: '127.0.0.1',
        lazyConnect: true,
        retryStrategy: () => null,
      });
      r.on('error', () => undefined);
      const ok = await r
        .connect()
        .then(() => r.ping())
        .then(
          () => true,
          () => false,
        );
      r.disconnect();
      if (ok === up) return;
      await new Promise((res) => setTimeout(res, 20));
    }
    throw new Error(`private redis on ${this.port} did not come ${up ? 'up' : 'down'}`);
  }
}
