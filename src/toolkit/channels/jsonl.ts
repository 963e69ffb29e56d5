/**
 * The terminal adapter's line protocol (DESIGN.md: `safestep chat --jsonl`), spawned as a real
 * process: what an outside script driving SafeStep sees.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { RiskLevel } from '../../engine/types.ts';
import type { Action } from '../convo.ts';
import type { Observed } from '../observed.ts';
import type { Channel, Hints } from '../runner.ts';

interface Line {
  error?: string;
  replies?: { text: string; choices?: { id: string; label: string }[] }[];
  flow?: string | null;
  state?: string | null;
  risk?: { level: RiskLevel; flags: string[] };
  outcome?: { level: RiskLevel; steps: string[]; resources: { id: string }[] } | null;
}

export function toLine(user: string, action: Action, hints: Hints): Record<string, unknown> {
  const base = {
    user,
    locale: hints.locale,
    ...(hints.region !== undefined ? { region: hints.region } : {}),
  };
  if (action.kind === 'choose') return { ...base, choice: action.id };
  if (action.kind === 'command')
    return { ...base, command: action.command, ...(action.flow ? { flow: action.flow } : {}) };
  return { ...base, text: action.text, ...(action.forwarded ? { forwarded: true } : {}) };
}

export function observeLine(line: Line): Observed {
  if (line.error) throw new Error(`the adapter answered an error: ${line.error}`);
  return {
    replies: (line.replies ?? []).map((r) => ({ text: r.text, choices: r.choices ?? [] })),
    flow: line.flow ?? null,
    state: line.state ?? null,
    risk: line.risk?.level ?? 'none',
    flags: line.risk?.flags ?? [],
    outcome: line.outcome
      ? {
          level: line.outcome.level,
          steps: line.outcome.steps,
          resources: [...new Set(line.outcome.resources.map((r) => r.id))],
        }
      : null,
  };
}

export interface JsonlOptions {
  /** Repository root (where bin/safestep.js is). */
  root: string;
  flowsDir: string;
  /** How long one turn may take before the channel gives up (the process may have died). */
  turnTimeoutMs?: number;
}

export function openJsonlChannel(opts: JsonlOptions): Channel {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    [join(opts.root, 'bin/safestep.js'), 'chat', '--jsonl'],
    {
      cwd: opts.root,
      env: { ...process.env, SAFESTEP_FLOWS: opts.flowsDir, SAFESTEP_STORE: 'memory:', LOG_LEVEL: 'silent' },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000);
  });
  const waiting: { resolve: (l: string) => void; reject: (e: Error) => void }[] = [];
  let exited: Error | undefined;
  createInterface({ input: child.stdout }).on('line', (l) => waiting.shift()?.resolve(l));
  child.on('exit', (code, signal) => {
    exited = new Error(
      `the terminal adapter exited (${signal ?? code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
    );
    for (const w of waiting.splice(0)) w.reject(exited);
  });
  const timeout = opts.turnTimeoutMs ?? 10_000;
  return {
    name: 'terminal-jsonl',
    send(user, action, hints) {
      if (exited) return Promise.reject(exited);
      return new Promise<Observed>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer within ${timeout} ms`)), timeout);
        waiting.push({
          resolve: (l) => {
            clearTimeout(timer);
            try {
              resolve(observeLine(JSON.parse(l) as Line));
            } catch (err) {
              reject(err instanceof Error ? err : new Error(String(err)));
            }
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        child.stdin.write(`${JSON.stringify(toLine(user, action, hints))}\n`);
      });
    },
    async close() {
      if (exited) return;
      const done = new Promise<void>((r) => child.once('exit', () => r()));
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGTERM'), 3000);
      await done;
      clearTimeout(timer);
    },
  };
}
