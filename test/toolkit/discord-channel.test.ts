/**
 * One transcript, every channel: the toolkit's scripts through the real Discord adapter
 * (discord.js against the fake REST + gateway) must pass the same expectations and take the same
 * course as through the engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bundle, loadBundle } from '../../src/index.ts';
import { openEngineChannel } from '../../src/toolkit/channels/engine.ts';
import { compareRuns } from '../../src/toolkit/compare.ts';
import type { Convo } from '../../src/toolkit/convo.ts';
import { formatFailure } from '../../src/toolkit/report.ts';
import { type Channel, runConvo, userFor } from '../../src/toolkit/runner.ts';
import { findConvoFiles, loadConvos } from '../../src/toolkit/suite.ts';
import { openDiscordChannel } from './discord-channel.ts';
import { assembleFlows, TOOLKIT_CONVOS, TOOLKIT_FLOWS } from './helpers.ts';

let bundle: Bundle;
let convos: Convo[];
const bots = new Map<string, Channel>();
beforeAll(async () => {
  bundle = await loadBundle(assembleFlows(TOOLKIT_FLOWS));
  convos = loadConvos(findConvoFiles([TOOLKIT_CONVOS])).convos;
});
afterAll(async () => {
  for (const bot of bots.values()) await bot.close();
});

/** A direct message tells neither language nor region: one bot per deployment (SAFESTEP_LOCALE / _REGION). */
async function botFor(convo: Convo): Promise<Channel> {
  const key = `${convo.locale}|${convo.region ?? ''}`;
  if (!bots.has(key)) {
    bots.set(
      key,
      await openDiscordChannel(bundle, {
        locale: convo.locale,
        ...(convo.region ? { region: convo.region } : {}),
      }),
    );
  }
  return bots.get(key)!;
}

describe('one transcript, every channel: Discord', () => {
  it('runs each script in direct messages through discord.js with the engine’s course and outcome', async () => {
    expect(convos.length).toBe(4);
    const engine = await openEngineChannel(bundle);
    for (const convo of convos) {
      const discord = await botFor(convo);
      const viaEngine = await runConvo(convo, engine, userFor(convo, engine.name));
      const viaDiscord = await runConvo(convo, discord, userFor(convo, discord.name));
      expect(formatFailure(viaDiscord).join('\n'), convo.file).toBe('');
      // Discord joins a turn's replies into one message per set of buttons: compare where we are.
      expect(compareRuns(viaEngine, viaDiscord, 'where'), convo.file).toEqual([]);
      expect(viaDiscord.seen.at(-1)!.outcome?.level).toBe(viaEngine.seen.at(-1)!.outcome?.level);
    }
    await engine.close();
  });
});
