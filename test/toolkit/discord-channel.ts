/**
 * A scripted conversation through Discord: the real discord.js adapter (adapters/discord) against
 * the local fake Discord (test/fakes), in direct messages as a person would hold it: type, press
 * the button whose custom_id names the choice. What the bot said and offered is read from the REST
 * calls it made; where the conversation is, from the engine's answer to that turn.
 */
import { decodeCustomId } from '../../adapters/discord/custom-id.ts';
import { startDiscord } from '../../adapters/discord/index.ts';
import { renderReplies } from '../../adapters/discord/render.ts';
import { type Bundle, createLogger, type TurnResult } from '../../src/index.ts';
import type { Action } from '../../src/toolkit/convo.ts';
import type { Observed } from '../../src/toolkit/observed.ts';
import type { Channel, Hints } from '../../src/toolkit/runner.ts';
import { type FakeDiscord, type FakeUser, type RestCall, startFakeDiscord } from '../fakes/discord.ts';
import { type BotDefaults, observeShown, watchedEngine } from './watched-engine.ts';

interface Button {
  custom_id?: string;
  label?: string;
}

function messageOf(c: RestCall): { content: string; buttons: Button[] } {
  const body = (c.body ?? {}) as {
    data?: { content?: string; components?: unknown[] };
    content?: string;
    components?: unknown[];
  };
  const rows = (body.data?.components ?? body.components ?? []) as { components?: Button[] }[];
  return {
    content: body.data?.content ?? body.content ?? '',
    buttons: rows.flatMap((r) => r.components ?? []),
  };
}

const isUpdate = (c: RestCall) => /\/callback$/.test(c.path) && (c.body as { type?: number })?.type === 7;

/**
 * @param defaults the operator's SAFESTEP_LOCALE / SAFESTEP_REGION for this bot: a direct message
 *   tells neither, so a script in zh-CN or with `region:` runs on a bot deployed that way.
 */
export async function openDiscordChannel(bundle: Bundle, defaults: BotDefaults = {}): Promise<Channel> {
  const fake: FakeDiscord = await startFakeDiscord();
  const watched = await watchedEngine(bundle, defaults);
  const { answers } = watched;
  const bot = await startDiscord({
    engine: watched.engine,
    logger: createLogger({ level: 'silent' }),
    token: 'test-token',
    applicationId: fake.appId,
    apiRoot: fake.apiRoot,
  });
  await fake.ready();
  const people = new Map<string, FakeUser>();
  let next = 0;
  const personFor = (user: string): FakeUser => {
    let p = people.get(user);
    if (!p) {
      p = { id: String(910_000_000_000_000_000n + BigInt(++next)), username: `tester${next}` };
      people.set(user, p);
    }
    return p;
  };

  /** The newest message the bot showed with a button for this choice. */
  const buttonFor = (choice: string): string | undefined => {
    for (const call of [...fake.shown()].reverse()) {
      if (isUpdate(call)) continue;
      const b = messageOf(call).buttons.find(
        (x) => x.custom_id && decodeCustomId(x.custom_id)?.choice === choice,
      );
      if (b?.custom_id) return b.custom_id;
    }
    return undefined;
  };

  const act = (person: FakeUser, action: Action, hints: Hints): void => {
    if (action.kind === 'text') fake.dm(person, action.text);
    else if (action.kind === 'command')
      fake.dm(person, `/${action.command}${action.flow ? ` ${action.flow}` : ''}`);
    else {
      const customId = buttonFor(action.id);
      if (!customId) throw new Error(`no message the bot showed has a button for choice "${action.id}"`);
      // A button press carries the person's Discord client language, as a real interaction does.
      fake.press(person, customId, { locale: hints.locale });
    }
  };

  return {
    name: 'discord',
    async send(user, action, hints) {
      const person = personFor(user);
      const key = `dc:${person.id}`;
      answers.delete(key);
      const mark = fake.shown().length;
      act(person, action, hints);
      // Done when the engine has answered and every message it rendered to has been shown.
      const deadline = Date.now() + 5000;
      for (;;) {
        const answer = answers.get(key);
        if (answer) {
          const expected = renderReplies(answer.replies).length + (action.kind === 'choose' ? 1 : 0);
          const since = fake.shown().slice(mark);
          if (since.length >= expected) {
            return observe(
              since.filter((c) => !isUpdate(c)),
              answer,
            );
          }
        }
        if (Date.now() > deadline)
          throw new Error(
            `no answer on Discord within 5 s (${answer ? 'engine answered' : 'engine not asked'})`,
          );
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    async close() {
      await bot.stop();
      await watched.close();
      await fake.close();
    },
  };
}

function observe(calls: RestCall[], answer: TurnResult): Observed {
  return observeShown(
    calls.map((c) => {
      const m = messageOf(c);
      return {
        text: m.content,
        buttons: m.buttons.map((b) => ({
          label: b.label ?? '',
          choice: b.custom_id ? decodeCustomId(b.custom_id)?.choice : undefined,
        })),
      };
    }),
    answer,
  );
}
