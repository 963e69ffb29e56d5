/**
 * `npm start` as an operator runs it: a real process with platform tokens from the environment,
 * health on PORT, and a graceful exit on SIGTERM or SIGINT.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../engine/helpers.ts';
import { type FakeDiscord, startFakeDiscord } from '../fakes/discord.ts';

const ROOT = join(import.meta.dirname, '..', '..');
let fake: FakeDiscord | undefined;
let child: ChildProcess | undefined;

afterEach(async () => {
  child?.kill('SIGKILL');
  await fake?.close();
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function untilHealthy(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('never became ready');
}

describe('npm start as a service', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`serves health and metrics, then exits 0 on ${signal}`, async () => {
      fake = await startFakeDiscord();
      const port = await freePort();
      child = spawn(process.execPath, [join(ROOT, 'bin', 'safestep.js'), 'start'], {
        cwd: ROOT,
        env: {
          ...process.env,
          DISCORD_BOT_TOKEN: 'test-token',
          DISCORD_APPLICATION_ID: fake.appId,
          DISCORD_API_ROOT: fake.apiRoot,
          SAFESTEP_STORE: `sqlite:${join(tempDir(), 'svc.db')}`,
          PORT: String(port),
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      await fake.ready();
      await untilHealthy(port);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toContain('safestep_turns_total');
      const exit = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
      const started = Date.now();
      child.kill(signal);
      expect(await exit).toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);
    });
  }
});
