/**
 * A scripted conversation through Telegram: the real telegraf adapter (adapters/telegram) against
 * the local fake Bot API (test/fakes), each step done as a person does it in the app: type, tap the
 * button whose callback data names the choice, open a deep link. What the bot said and offered is
 * read from the chat; where the conversation is (flow, state, risk, outcome) from the engine's
 * answer to that turn, since Telegram shows no such thing.
 */
import { decodeCallback } from '../../adapters/telegram/callback-data.ts';
import { type RunningTelegram, startTelegram } from '../../adapters/telegram/index.ts';
import { type Bundle, createLogger } from '../../src/index.ts';
import type { Action } from '../../src/toolkit/convo.ts';
import type { Observed } from '../../src/toolkit/observed.ts';
import type { Channel, Hints } from '../../src/toolkit/runner.ts';
import { type ChatMessage, FakeBotApi, type FakeUser } from '../fakes/telegram-bot-api.ts';
import { observeShown, watchedEngine } from './watched-engine.ts';

export interface TelegramChannel extends Channel {
  readonly api: FakeBotApi;
}

/**
 * @param region the operator's SAFESTEP_REGION for this bot: Telegram tells no region, so a script
 *   with `region:` runs on a bot deployed for that region.
 */
export async function openTelegramChannel(bundle: Bundle, region?: string): Promise<TelegramChannel> {
  const api = await FakeBotApi.start({ waitMs: 5000 });
  const watched = await watchedEngine(bundle, region ? { region } : {});
  const { answers } = watched;
  const running: RunningTelegram = await startTelegram({
    engine: watched.engine,
    logger: createLogger({ level: 'silent' }),
    token: api.token,
    apiRoot: api.apiRoot,
    limits: { perSecond: 1000, privatePerSecond: 1000, groupPerMinute: 60_000, chatBurst: 1000 },
    backoff: { baseMs: 20, maxMs: 200 },
  });
  const people = new Map<string, FakeUser>();
  let nextId = 7001;
  const personFor = (user: string, hints: Hints): FakeUser => {
    let person = people.get(user);
    if (!person) {
      person = api.user({ id: nextId++, first_name: 'Tester', language_code: hints.locale });
      people.set(user, person);
    }
    return person;
  };

  const act = async (person: FakeUser, action: Action) => {
    if (action.kind === 'text') return person.send(action.text, action.forwarded ? { forwarded: true } : {});
    if (action.kind === 'command')
      return action.command === 'start' ? person.start(action.flow) : person.send(`/${action.command}`);
    const found = latestButton(person.screen(), action.id);
    if (!found) throw new Error(`no message in the chat shows a button for choice "${action.id}"`);
    return person.pressData(found.message, found.data);
  };

  return {
    name: 'telegram',
    api,
    async send(user, action, hints) {
      const person = personFor(user, hints);
      const key = `tg:${person.chatId}`;
      answers.delete(key);
      const exchange = await act(person, action);
      const answer = answers.get(key);
      if (!answer) throw new Error('the engine was not asked: the adapter dropped the update');
      return observeChat(exchange.replies, answer);
    },
    async close() {
      await running.stop();
      await watched.close();
      await api.close();
    },
  };
}

/** The newest bot message with a live button for this choice, as a person would scroll to. */
function latestButton(
  screen: ChatMessage[],
  choice: string,
): { message: ChatMessage; data: string } | undefined {
  for (const message of [...screen].reverse()) {
    if (message.from !== 'bot') continue;
    for (const b of message.buttons.flat()) {
      if (b.callback_data && decodeCallback(b.callback_data)?.choice === choice)
        return { message, data: b.callback_data };
    }
  }
  return undefined;
}

function observeChat(messages: ChatMessage[], answer: Parameters<typeof observeShown>[1]): Observed {
  return observeShown(
    messages.map((m) => ({
      text: m.text,
      buttons: m.buttons
        .flat()
        .map((b) => ({ label: b.text, choice: decodeCallback(b.callback_data)?.choice })),
    })),
    answer,
  );
}
