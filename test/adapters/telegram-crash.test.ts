/**
 * A bot process killed after the engine saved a turn but before its reply reached Telegram: the
 * update was never confirmed, so Telegram delivers it again to the next process, which answers
 * without applying the turn a second time. The reply is not lost.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, afterEach, expect, it } from 'vitest';
import { FakeBotApi } from '../fakes/telegram-bot-api.ts';
import {
  type Bot,
  freshSqlite,
  removeTempDirs,
  startBot,
  TELEGRAM_FLOWS,
} from '../fakes/telegram-harness.ts';

let child: ChildProcess | undefined;
let api: FakeBotApi | undefined;
let bot: Bot | undefined;
afterEach(async () => {
  child?.kill('SIGKILL');
  await bot?.stop();
  await api?.close();
});
afterAll(removeTempDirs);

it('a reply cut off by a crash arrives after the restart, and the turn is applied once', async () => {
  api = await FakeBotApi.start({ waitMs: 8000 });
  const store = freshSqlite();
  child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/fakes/telegram-bot-process.ts', api.apiRoot, api.token, store, TELEGRAM_FLOWS],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child!.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child!.once('exit', (code) => reject(new Error(`bot process exited early (${code})`)));
  });

  const amy = api.user({ id: 4242, language_code: 'en' });
  const first = await amy.start('job-offer');
  const where = first.replies[0]!;

  // Telegram holds the next reply back (a long rate limit) while the process dies.
  api.failNext('sendMessage', 1, { status: 429, retryAfter: 30 });
  const press = api.callbackQuery(
    4242,
    { id: 4242, language_code: 'en' },
    where,
    where.buttons[0]![0]!.callback_data!,
  );
  const since = api.mark();
  const updateId = api.pushUpdate(press.body);
  await api.waitFor(() => api!.callsOf('sendMessage').some((c) => c.status === 429), 'the held-back reply');
  const exited = new Promise((r) => child!.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  child = undefined;

  bot = await startBot({ api, store });
  await api.handled(updateId);
  // Applied twice, the press would be stale and the engine would say so; applied once, it just answers.
  const replies = api.botMessagesSince(4242, since).map((m) => m.text);
  expect(replies).toEqual(['Did they ask you to pay anything first?']);
  const session = JSON.parse((await bot.engine.store.load('tg:4242'))!.data) as { state: string };
  expect(session.state).toBe('fee');
});
