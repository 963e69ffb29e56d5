/**
 * (3) The platform's own limit. SafeStep runs as an operator runs it (`node bin/safestep.js
 * start` with TELEGRAM_BOT_TOKEN and TELEGRAM_API_ROOT, SQLite store), long polling a local Bot
 * API that enforces Telegram's published limits. 2,000 people write at once; a tenth of them,
 * impatient, write a second message straight after the first. Every person must get every reply,
 * once, in order; the last first reply is compared with the earliest moment the limit allows.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderReplies } from '../../adapters/telegram/render.ts';
import { createEngine, createLogger, type Inbound, loadBundle, openStore } from '../../src/index.ts';
import { LimitedBotApi, TELEGRAM_PUBLISHED } from '../lib/limited-bot-api.ts';
import { percentile } from '../lib/stats.ts';

export interface LimitArgs {
  flowsDir: string;
  users: number;
  /** Share of people who write a second message at once. */
  impatient: number;
}

export interface LimitResult {
  users: number;
  impatientUsers: number;
  messagesExpected: number;
  messagesAccepted: number;
  refused429: number;
  /** Seconds from the moment everyone wrote. */
  firstReply: { p10: number; p50: number; p90: number; p99: number; max: number };
  /** What the limit allows at best: the last of N first replies, N/30 a second. */
  idealFirstReply: { p50: number; max: number };
  ratio: number;
  allDeliveredS: number | null;
  withoutFirstReply: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  /** Messages accepted and 429s answered in each second after everyone wrote. */
  acceptedPerSecond: number[];
  refusedPerSecond: number[];
  /** What the bot printed on stderr when it misbehaved (tail). */
  botErrors?: string;
}

const FIRST = '/start';
const SECOND = 'I got a job offer abroad, they will pay for my flight';
const TOKEN = '4242:limit-bench';

export async function runLimit(args: LimitArgs): Promise<LimitResult> {
  const expectedFirst = await expectedTexts(args.flowsDir, [FIRST]);
  const expectedBoth = await expectedTexts(args.flowsDir, [FIRST, SECOND]);
  const api = await LimitedBotApi.start(TOKEN);
  const dir = mkdtempSync(join(tmpdir(), 'safestep-limit-'));
  const bot = spawnBot(api.apiRoot, args.flowsDir, join(dir, 'sessions.db'));
  let stderr = '';
  bot.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-3000);
  });
  try {
    await Promise.race([
      api.polling,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`the bot did not poll within 60 s:\n${stderr}`)), 60_000),
      ),
    ]);
    const users = Array.from({ length: args.users }, (_, i) => 10_000 + i);
    const impatient = new Set(users.filter((_, i) => i % Math.round(1 / args.impatient) === 0));
    const expected = new Map(users.map((id) => [id, impatient.has(id) ? expectedBoth : expectedFirst]));
    let updateId = 1;
    const message = (chatId: number, text: string) => ({
      update_id: updateId++,
      message: {
        message_id: updateId,
        date: Math.floor(Date.now() / 1000),
        chat: { id: chatId, type: 'private', first_name: 'P' },
        from: { id: chatId, is_bot: false, first_name: 'P', language_code: 'en' },
        text,
        ...(text.startsWith('/')
          ? { entities: [{ type: 'bot_command', offset: 0, length: text.length }] }
          : {}),
      },
    });
    const updates = [
      ...users.map((id) => message(id, FIRST)),
      ...[...impatient].map((id) => message(id, SECOND)),
    ];
    const messagesExpected = [...expected.values()].reduce((n, e) => n + e.length, 0);
    const minimumS = Math.floor((args.users - 1) / TELEGRAM_PUBLISHED.perSecond);
    const t0 = Date.now();
    api.push(updates);
    const deadline = t0 + (2 * (messagesExpected / TELEGRAM_PUBLISHED.perSecond) + 30) * 1000;
    let allDeliveredS: number | null = null;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      if (api.counters.accepted >= messagesExpected) {
        allDeliveredS = (Date.now() - t0) / 1000;
        break;
      }
    }
    // Anything late or duplicated would show up now.
    await new Promise((r) => setTimeout(r, 1500));
    await stopBot(bot);

    let lost = 0;
    let duplicated = 0;
    let outOfOrder = 0;
    const firsts: number[] = [];
    for (const id of users) {
      const want = expected.get(id)!;
      const got = (api.chats.get(id) ?? []).map((m) => m.text);
      const first = api.chats.get(id)?.[0];
      if (first) firsts.push((first.at - t0) / 1000);
      for (const text of new Set(want)) {
        const w = want.filter((t) => t === text).length;
        const g = got.filter((t) => t === text).length;
        if (g < w) lost += w - g;
        if (g > w) duplicated += g - w;
      }
      duplicated += got.filter((t) => !want.includes(t)).length;
      if (got.length === want.length && got.some((t, i) => t !== want[i])) outOfOrder++;
    }
    const lastFirst = firsts.length > 0 ? Math.max(...firsts) : Number.NaN;
    const withoutFirstReply = users.length - firsts.length;
    const result: LimitResult = {
      users: args.users,
      impatientUsers: impatient.size,
      messagesExpected,
      messagesAccepted: api.counters.accepted,
      refused429: api.counters.refused429,
      firstReply: {
        p10: percentile(firsts, 10),
        p50: percentile(firsts, 50),
        p90: percentile(firsts, 90),
        p99: percentile(firsts, 99),
        max: lastFirst,
      },
      idealFirstReply: {
        p50: Math.floor((args.users / 2 - 1) / TELEGRAM_PUBLISHED.perSecond),
        max: minimumS,
      },
      ratio: lastFirst / minimumS,
      allDeliveredS,
      withoutFirstReply,
      lost,
      duplicated,
      outOfOrder,
      acceptedPerSecond: perSecond(api.acceptedTimes, t0),
      refusedPerSecond: perSecond(api.refusedTimes, t0),
    };
    if (withoutFirstReply > 0 || lost > 0 || duplicated > 0) result.botErrors = stderr;
    return result;
  } finally {
    if (bot.exitCode === null) bot.kill('SIGKILL');
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What the engine answers to these messages, as the adapter would send it (one text per message). */
async function expectedTexts(flowsDir: string, texts: string[]): Promise<string[]> {
  const engine = createEngine({
    bundle: await loadBundle(flowsDir),
    store: await openStore('memory:'),
    logger: createLogger({ level: 'silent' }),
    rateLimitPerMinute: 0,
  });
  const out: string[] = [];
  for (const [i, text] of texts.entries()) {
    const inbound: Inbound =
      text === '/start'
        ? {
            user: 'tg:1',
            kind: 'command',
            command: 'start',
            locale: 'en',
            channel: 'telegram',
            id: String(i + 1),
          }
        : { user: 'tg:1', kind: 'text', text, locale: 'en', channel: 'telegram', id: String(i + 1) };
    const result = await engine.handle(inbound);
    out.push(...renderReplies(result.replies).map((m) => m.text));
  }
  await engine.close();
  return out;
}

function perSecond(times: readonly number[], t0: number): number[] {
  const out: number[] = [];
  for (const t of times) {
    const s = Math.max(0, Math.floor((t - t0) / 1000));
    while (out.length <= s) out.push(0);
    out[s]! += 1;
  }
  return out;
}

function spawnBot(apiRoot: string, flowsDir: string, dbPath: string): ChildProcess {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: apiRoot,
    SAFESTEP_STORE: `sqlite:${dbPath}`,
    SAFESTEP_FLOWS: flowsDir,
    LOG_LEVEL: 'warn',
  };
  return spawn(process.execPath, ['bin/safestep.js', 'start'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
}

async function stopBot(bot: ChildProcess): Promise<void> {
  if (bot.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => bot.once('exit', () => resolve()));
  bot.kill('SIGTERM');
  const timer = setTimeout(() => bot.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
