/**
 * What the Telegram and Discord channel drivers share: a real engine on a memory store whose
 * answers are kept per user (the adapter runs unchanged; a chat cannot show flow, state or risk),
 * and the step from what the chat showed to what a script observes.
 */
import {
  type Bundle,
  createEngine,
  createLogger,
  type Engine,
  openStore,
  type TurnResult,
} from '../../src/index.ts';
import { observeTurn } from '../../src/toolkit/channels/engine.ts';
import type { Observed } from '../../src/toolkit/observed.ts';

export interface WatchedEngine {
  /** Hand this to the adapter. */
  readonly engine: Engine;
  /** The engine's latest answer per user key (`tg:…`, `dc:…`); delete a key before a step. */
  readonly answers: Map<string, TurnResult>;
  close(): Promise<void>;
}

/** The operator's SAFESTEP_LOCALE / SAFESTEP_REGION for the bot under test. */
export interface BotDefaults {
  locale?: string;
  region?: string;
}

export async function watchedEngine(bundle: Bundle, defaults: BotDefaults = {}): Promise<WatchedEngine> {
  const engine = createEngine({
    bundle,
    store: await openStore('memory:'),
    logger: createLogger({ level: 'silent' }),
    rateLimitPerMinute: 0,
    ...(defaults.locale ? { defaultLocale: defaults.locale } : {}),
    ...(defaults.region ? { defaultRegion: defaults.region } : {}),
  });
  const answers = new Map<string, TurnResult>();
  const watched: Engine = {
    ...engine,
    bundle: engine.bundle,
    store: engine.store,
    async handle(inbound) {
      const result = await engine.handle(inbound);
      answers.set(inbound.user, result);
      return result;
    },
  };
  return { engine: watched, answers, close: () => engine.close() };
}

/** A message as the chat showed it: its text and its buttons' labels and choice ids (if any). */
export interface ShownMessage {
  text: string;
  buttons: { label: string; choice: string | undefined }[];
}

/** What a script observes: the chat's messages, and where the engine says the conversation is. */
export function observeShown(messages: ShownMessage[], answer: TurnResult): Observed {
  return {
    ...observeTurn(answer),
    replies: messages.map((m) => ({
      text: m.text,
      choices: m.buttons.flatMap((b) => (b.choice ? [{ id: b.choice, label: b.label }] : [])),
    })),
  };
}
