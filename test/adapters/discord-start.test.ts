/**
 * As an operator starts it: `npm start` (bin/safestep.js start) with only DESIGN.md's environment
 * variables, against the fake Discord, with the real flows/ folder. A person writes a DM and
 * presses buttons until SafeStep gives a safe next step; SIGTERM then stops it cleanly.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Bundle, loadBundle, uiText } from '../../src/index.ts';
import { type FakeDiscord, startFakeDiscord } from '../fakes/discord.ts';
import { type Shown, view } from '../fakes/discord-harness.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const erin = { id: '900000000000000005', username: 'erin' };

let fake: FakeDiscord;
let bot: ChildProcess;
let bundle: Bundle;
let stderr = '';

beforeAll(async () => {
  fake = await startFakeDiscord();
  bundle = await loadBundle(join(ROOT, 'flows'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DISCORD_BOT_TOKEN: 'operator-token',
    DISCORD_APPLICATION_ID: fake.appId,
    // As an operator may type it, with a trailing slash.
    DISCORD_API_ROOT: `${fake.apiRoot}/`,
    SAFESTEP_STORE: `sqlite:${join(mkdtempSync(join(tmpdir(), 'safestep-start-')), 'safestep.db')}`,
    LOG_LEVEL: 'info',
  };
  bot = spawn(process.execPath, [join(ROOT, 'bin', 'safestep.js'), 'start'], { cwd: ROOT, env });
  bot.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  await fake.ready();
}, 20_000);

afterAll(async () => {
  if (bot.exitCode === null) bot.kill('SIGKILL');
  await fake.close();
});

it('runs a DM conversation to a safe next step, then stops on SIGTERM', async () => {
  const heading = uiText(bundle, 'en', 'steps_heading');
  const turn = async (act: () => void): Promise<Shown[]> => {
    const mark = fake.calls.length;
    act();
    // A turn ends with a message that offers buttons (an outcome offers a summary and a restart).
    await fake.waitFor((c) => fake.calls.indexOf(c) >= mark && view(c).buttons.size > 0, 8000);
    return fake.calls
      .slice(mark)
      .filter((c) => fake.shown().includes(c))
      .map(view);
  };

  let shown = await turn(() => fake.dm(erin, 'Hi, I was offered a job abroad with a very high salary'));
  expect(shown[0]!.content).toContain('SafeStep');
  let presses = 0;
  while (!shown.some((s) => s.content.includes(heading))) {
    expect(presses++, 'an outcome within 12 answers').toBeLessThan(12);
    const last = shown.filter((s) => s.buttons.size > 0).at(-1)!;
    const [first] = last.buttons.keys();
    shown = await turn(() => fake.press(erin, first!));
  }
  expect(presses).toBeGreaterThan(0);
  expect(fake.refused).toEqual([]);

  const exited = new Promise<number | null>((r) => bot.once('exit', (code) => r(code)));
  bot.kill('SIGTERM');
  expect(await exited).toBe(0);
  // The operator's log says what happened, and nothing of what the person wrote.
  expect(stderr).toContain('discord client ready');
  expect(stderr).not.toContain('high salary');
  expect(stderr).not.toContain('operator-token');
}, 30_000);
