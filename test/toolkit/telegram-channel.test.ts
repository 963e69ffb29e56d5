/**
 * One transcript, every channel: the toolkit's scripts through the real Telegram adapter against
 * the fake Bot API must pass the same expectations and take the same course as through the engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bundle, loadBundle } from '../../src/index.ts';
import { openEngineChannel } from '../../src/toolkit/channels/engine.ts';
import { compareRuns } from '../../src/toolkit/compare.ts';
import type { Convo } from '../../src/toolkit/convo.ts';
import { formatFailure } from '../../src/toolkit/report.ts';
import { runConvo, userFor } from '../../src/toolkit/runner.ts';
import { findConvoFiles, loadConvos } from '../../src/toolkit/suite.ts';
import { assembleFlows, TOOLKIT_CONVOS, TOOLKIT_FLOWS } from './helpers.ts';
import { openTelegramChannel, type TelegramChannel } from './telegram-channel.ts';

let bundle: Bundle;
let convos: Convo[];
const bots = new Map<string, TelegramChannel>();
beforeAll(async () => {
  bundle = await loadBundle(assembleFlows(TOOLKIT_FLOWS));
  convos = loadConvos(findConvoFiles([TOOLKIT_CONVOS])).convos;
});
afterAll(async () => {
  for (const bot of bots.values()) await bot.close();
});

/** One bot per region an operator would deploy for (Telegram tells no region). */
async function botFor(region: string | undefined): Promise<TelegramChannel> {
  const key = region ?? '';
  if (!bots.has(key)) bots.set(key, await openTelegramChannel(bundle, region));
  return bots.get(key)!;
}

describe('one transcript, every channel: Telegram', () => {
  it('runs each script through telegraf and the fake Bot API with the engine’s course and outcome', async () => {
    expect(convos.length).toBe(4);
    const engine = await openEngineChannel(bundle);
    for (const convo of convos) {
      const telegram = await botFor(convo.region);
      const viaEngine = await runConvo(convo, engine, userFor(convo, engine.name));
      const viaTelegram = await runConvo(convo, telegram, userFor(convo, telegram.name));
      expect(formatFailure(viaTelegram).join('\n'), convo.file).toBe('');
      // Telegram joins a turn's replies into one message per keyboard: compare where we are, not layout.
      expect(compareRuns(viaEngine, viaTelegram, 'where'), convo.file).toEqual([]);
      expect(viaTelegram.seen.at(-1)!.outcome?.level).toBe(viaEngine.seen.at(-1)!.outcome?.level);
    }
    await engine.close();
  });

  it('presses buttons as a person does: the chat holds the bot’s messages with their buttons', async () => {
    const convo = convos.find((c) => c.file.endsWith('emergency.en.1.convo.yml'))!;
    const telegram = await botFor(undefined);
    const result = await runConvo(convo, telegram, 'chat-check');
    expect(result.failure).toBeUndefined();
    const pressed = telegram.api.callsOf('answerCallbackQuery').length;
    expect(pressed).toBeGreaterThanOrEqual(2); // danger, not_safe
    const first = result.seen[0]!;
    expect(first.replies.flatMap((r) => r.choices.map((c) => c.id))).toEqual(
      expect.arrayContaining(['job', 'danger']),
    );
  });
});
