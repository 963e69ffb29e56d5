/**
 * Structured logs (pino). Privacy by default: fields that could hold what a person typed, their
 * name, number or wallet are redacted wherever they appear, and the engine never logs text.
 */
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

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
  if (opts.pretty) {
    return pino(
      options,
      pretty({ destination: opts.destination ?? process.stderr, colorize: true, sync: true }),
    );
  }
  return pino(options, opts.destination ?? pino.destination({ fd: 2, sync: false }));
}
