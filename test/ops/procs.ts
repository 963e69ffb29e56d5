/**
 * Bot processes for the scale tests: real OS processes, started as an operator would
 * (`node bin/safestep.js chat --jsonl` with SAFESTEP_STORE), spoken to over the JSONL protocol.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const ROOT = join(import.meta.dirname, '..', '..');
export const FLOWS = join(ROOT, 'test', 'fixtures', 'flows-basic');

export type Line = Record<string, unknown> & {
  user?: string;
  flow?: string | null;
  state?: string | null;
  replies?: { text: string }[];
  error?: string;
};

export function botEnv(store: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    SAFESTEP_STORE: store,
    SAFESTEP_FLOWS: FLOWS,
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

/** One `safestep chat --jsonl` process: each send resolves with the line answering it. */
export class JsonlBot {
  readonly proc: ChildProcess;
  private readonly waiting: ((line: Line) => void)[] = [];
  private stderr = '';
  readonly exited: Promise<number | null>;

  constructor(store: string, extraEnv: Record<string, string> = {}) {
    this.proc = spawn(process.execPath, [join(ROOT, 'bin', 'safestep.js'), 'chat', '--jsonl'], {
      cwd: ROOT,
      env: botEnv(store, extraEnv),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolve) => this.proc.once('exit', (code) => resolve(code)));
    this.proc.stderr!.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    createInterface({ input: this.proc.stdout! }).on('line', (l) => {
      const next = this.waiting.shift();
      next?.(JSON.parse(l) as Line);
    });
  }

  send(input: Record<string, unknown>): Promise<Line> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.proc.stdin!.write(`${JSON.stringify(input)}\n`);
    });
  }

  get logs(): string {
    return this.stderr;
  }

  /** Ends stdin, as an operator's pipe closing; the process exits after its turns. */
  async end(): Promise<number | null> {
    this.proc.stdin!.end();
    return this.exited;
  }

  kill(): void {
    this.proc.kill('SIGKILL');
  }
}

/** A line a user would read as "please try again in a moment". */
export function isTryAgain(line: Line): boolean {
  return line.state === null && /try again/i.test(line.replies?.[0]?.text ?? '');
}
