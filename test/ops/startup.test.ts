/**
 * Start-up as an operator sees it: `npm start` opens the terminal chat from a folder it has loaded
 * before (so from the flows cache), refuses a broken folder with file:line all the same, and
 * readable log lines on a terminal still come out redacted.
 */
import { spawn } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { tempDir } from '../engine/helpers.ts';
import { LogCapture } from './helpers.ts';
import { ROOT } from './procs.ts';

/** `npm start` with no token: what it printed on stdout and stderr, and how it ended. */
function start(flows: string): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'safestep.js'), 'start'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, SAFESTEP_STORE: 'memory:', SAFESTEP_FLOWS: flows },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    // The welcome is on screen: leave the chat as a person would, with Ctrl-D.
    child.stdin.end();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ stdout, stderr, code })));
}

describe('npm start', () => {
  it('opens the chat from a folder loaded before, and refuses it with file:line once a flow breaks', async () => {
    const flows = join(tempDir(), 'flows');
    cpSync(join(ROOT, 'flows'), flows, { recursive: true });
    for (let run = 0; run < 2; run++) {
      const ok = await start(flows);
      expect(ok.stdout.length, ok.stderr).toBeGreaterThan(0);
      expect(ok.code).toBe(0);
    }

    const file = join(flows, 'job-offer.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('next: jo_kind', 'next: no_such_state'));
    const broken = await start(flows);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toBe('');
    expect(broken.stderr).toMatch(
      /^flows\/job-offer\.yaml:\d+:\d+ error: unknown target state "no_such_state"/m,
    );
    expect(broken.stderr).toContain('SafeStep refuses to start');
  });
});

describe('readable logs on a terminal', () => {
  it('are formatted lines, not JSON, and still redact what a person typed', async () => {
    const capture = new LogCapture();
    const logger = createLogger({ level: 'info', pretty: true, destination: capture });
    logger.warn({ text: 'my passport number is X123', flow: 'job-offer' }, 'flow warning');
    await new Promise((r) => setTimeout(r, 50));
    const out = capture.text();
    expect(out).toContain('flow warning');
    expect(out).toContain('job-offer');
    expect(out).toContain('[redacted]');
    expect(out).not.toContain('X123');
    expect(() => JSON.parse(out.split('\n')[0]!)).toThrow();
  });
});
