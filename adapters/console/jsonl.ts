/**
 * The line protocol of DESIGN.md (a frozen contract): one JSON object per input line on stdin,
 * exactly one JSON object per input line on stdout, in input order. Turns of different users run
 * concurrently; the engine keeps each user's turns in order.
 */
import { createInterface } from 'node:readline';
import { type Engine, type Inbound, isCommandName, type TurnResult } from '../../src/index.ts';

export type LineResult = Record<string, unknown>;

/** Parses one input line into an Inbound, or says what is wrong with it. */
export function parseLine(line: string): { inbound: Inbound } | { error: string } {
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch {
    return { error: 'not valid JSON' };
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
    return { error: 'expected a JSON object' };
  const o = obj as Record<string, unknown>;
  if (typeof o.user !== 'string' || o.user === '') return { error: 'missing "user" (a non-empty string)' };
  const hints = {
    user: `jsonl:${o.user}`,
    channel: 'jsonl',
    ...(typeof o.locale === 'string' ? { locale: o.locale } : {}),
    ...(typeof o.region === 'string' ? { region: o.region } : {}),
  };
  if (typeof o.command === 'string') {
    if (!isCommandName(o.command)) return { error: `unknown command "${o.command}"` };
    return {
      inbound: {
        ...hints,
        kind: 'command',
        command: o.command,
        ...(typeof o.flow === 'string' ? { flow: o.flow } : {}),
        ...(typeof o.arg === 'string' ? { arg: o.arg } : {}),
      },
    };
  }
  if (typeof o.choice === 'string') return { inbound: { ...hints, kind: 'choice', choice: o.choice } };
  if (typeof o.text === 'string') {
    return {
      inbound: { ...hints, kind: 'text', text: o.text, ...(o.forwarded === true ? { forwarded: true } : {}) },
    };
  }
  return { error: 'expected one of "text", "choice" or "command"' };
}

/** The output object of the protocol for one turn. */
export function toLine(user: string, r: TurnResult): LineResult {
  return {
    user,
    replies: r.replies.map((rep) =>
      rep.choices ? { text: rep.text, choices: rep.choices } : { text: rep.text },
    ),
    flow: r.flow,
    state: r.state,
    risk: r.risk,
    outcome: r.outcome,
  };
}

export async function runJsonl(
  engine: Engine,
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
): Promise<void> {
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  // Results are written in input order, though turns of different users overlap.
  let tail = Promise.resolve();
  for await (const line of rl) {
    const parsed = parseLine(line);
    const pending: Promise<LineResult> =
      'error' in parsed
        ? Promise.resolve({ error: parsed.error })
        : engine.handle(parsed.inbound).then(
            (r) => toLine(parsed.inbound.user.slice('jsonl:'.length), r),
            () => ({ error: 'internal error' }),
          );
    tail = tail.then(async () => {
      const out = await pending;
      await new Promise<void>((resolve) => {
        if (output.write(`${JSON.stringify(out)}\n`)) resolve();
        else output.once('drain', resolve);
      });
    });
  }
  await tail;
}
