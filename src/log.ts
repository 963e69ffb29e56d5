/**
 * Structured logs (pino). Privacy by default: fields that could hold what a person typed, their
 * name, number or wallet are redacted wherever they appear, and the engine never logs text.
 */
import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';

export type { Logger };

/** Paths censored in every log line, at the top level and one level down. */
export const REDACT_KEYS = [
  'text',
  'message_text',
  'caption',
  'content',
  'arg',
  'notes',
  'replies',
  'first_name',
  'last_name',
  'username',
  'global_name',
  'phone_number',
  'phone',
  'email',
  'wallet',
  'token',
  'secret',
  'authorization',
  'password',
];

export interface LogOptions {
  level?: string;
  /** Human-readable lines (a terminal); JSON otherwise. */
  pretty?: boolean;
  /** Where lines go; default stderr, so stdout stays free for the chat and the JSONL protocol. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(opts: LogOptions = {}): Logger {
  const options = {
    level: opts.level ?? 'info',
    base: { app: 'safestep' },
    redact: { paths: [...REDACT_KEYS, ...REDACT_KEYS.map((k) => `*.${k}`)], censor: '[redacted]' },
  };
  if (opts.pretty) return pino(options, prettyLater(opts.destination ?? process.stderr));
  return pino(options, opts.destination ?? pino.destination({ fd: 2, sync: false }));
}

/**
 * Readable lines, with pino-pretty loaded at the first line: the terminal chat logs only
 * warnings, often none, and need not wait for the formatter at start.
 */
function prettyLater(destination: NodeJS.WritableStream): { write(line: string): void } {
  let stream: NodeJS.WritableStream | undefined;
  return {
    write(line) {
      if (!stream) {
        const pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
        stream = pretty({ destination, colorize: true, sync: true });
      }
      stream.write(line);
    },
  };
}
