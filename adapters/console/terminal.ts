/**
 * The terminal chat: what `npm start` opens when no platform token is set. Numbered choices,
 * wrapped text; a number picks a choice, /commands work, Ctrl-C or Ctrl-D leaves cleanly.
 */
import { createInterface } from 'node:readline';
import type { ChoiceView, Engine, Inbound, Reply, TurnResult } from '../../src/index.ts';
import { parseCommand } from '../../src/index.ts';
import { wrap } from './wrap.ts';

export interface TerminalOptions {
  engine: Engine;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream & { columns?: number };
  user?: string;
  locale?: string;
  region?: string;
}

const BOLD = (s: string, tty: boolean) => (tty ? `\x1b[1m${s}\x1b[0m` : s);

export async function runTerminal(opts: TerminalOptions): Promise<void> {
  const input = opts.input ?? process.stdin;
  const output = opts.output ?? process.stdout;
  const tty = Boolean((output as { isTTY?: boolean }).isTTY);
  const width = () => Math.min(output.columns ?? 80, 100);
  const hints = {
    user: opts.user ?? 'cli:local',
    channel: 'console',
    ...(opts.locale ? { locale: opts.locale } : {}),
    ...(opts.region ? { region: opts.region } : {}),
  };
  let shown: { choices: ChoiceView[]; stamp?: string } = { choices: [] };

  // Choices are numbered across all replies of a turn, so every number on screen means one thing.
  const print = (r: TurnResult) => {
    const choices: ChoiceView[] = [];
    for (const rep of r.replies) printReply(rep, choices);
    const stamp = r.replies.find((rep) => rep.stamp)?.stamp;
    shown = { choices, ...(stamp ? { stamp } : {}) };
  };
  const printReply = (rep: Reply, numbered: ChoiceView[]) => {
    output.write(`\n${wrap(rep.text, width(), '  ')}\n`);
    for (const c of rep.choices ?? []) {
      numbered.push(c);
      output.write(`${BOLD(`   ${numbered.length}.`, tty)} ${c.label}\n`);
    }
  };

  const toInbound = (line: string): Inbound => {
    const n = /^\s*(\d{1,2})\s*$/.exec(line);
    const picked = n ? shown.choices[Number(n[1]) - 1] : undefined;
    if (picked)
      return { ...hints, kind: 'choice', choice: picked.id, ...(shown.stamp ? { stamp: shown.stamp } : {}) };
    const cmd = parseCommand(line);
    if (cmd) return { ...hints, kind: 'command', ...cmd };
    return { ...hints, kind: 'text', text: line };
  };

  print(await opts.engine.handle({ ...hints, kind: 'command', command: 'start' }));
  const rl = createInterface({ input, output, prompt: `\n${BOLD('you ›', tty)} `, terminal: tty });
  rl.prompt();
  let busy = Promise.resolve();
  await new Promise<void>((resolve) => {
    rl.on('line', (line) => {
      busy = busy.then(async () => {
        if (line.trim() !== '') print(await opts.engine.handle(toInbound(line)));
        rl.prompt();
      });
    });
    // Ctrl-C and Ctrl-D both end the chat; the caller closes the store.
    rl.on('SIGINT', () => rl.close());
    rl.on('close', () => {
      void busy.then(() => {
        output.write('\n');
        resolve();
      });
    });
  });
}
