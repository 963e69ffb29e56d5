/**
 * Answering an interaction within Discord's 3 seconds. The adapter answers directly when the turn
 * is quick (one call); when it is not (a slow store, a queue behind the same person's previous
 * turn), it acknowledges first (deferReply / deferUpdate) and edits that answer when ready.
 */
import {
  type ChatInputCommandInteraction,
  type InteractionEditReplyOptions,
  type InteractionReplyOptions,
  type InteractionUpdateOptions,
  type MessageComponentInteraction,
  MessageFlags,
} from 'discord.js';
import type { Payload } from './render.ts';

export type AnswerMode =
  /** A new message: the slash command's reply, or a reply to a button. */
  | 'reply'
  /** Edit the message whose button was pressed. */
  | 'update';

/** Discord allows 3 s; leave room for the network. */
export const DEFAULT_ACK_WITHIN_MS = 2000;

const NO_PINGS = { allowedMentions: { parse: [] } };

/** Our payloads carry raw API components, which discord.js sends as they are. */
function options<T>(payload: Payload, extra: object = {}): T {
  return { ...payload, ...extra, ...NO_PINGS } as unknown as T;
}

export interface Answer {
  /** The first answer. */
  first(payload: Payload): Promise<void>;
  /** Another message after the first; returns its id. */
  followUp(payload: Payload): Promise<string>;
  /** A short private notice after a failure, in whatever state the interaction is. */
  notice(text: string): Promise<void>;
  /** Stops the deferral timer (nothing will be answered). */
  cancel(): void;
}

export function answerInTime(
  i: ChatInputCommandInteraction | MessageComponentInteraction,
  opts: { mode: AnswerMode; ephemeral: boolean; withinMs: number },
): Answer {
  const flags = opts.ephemeral ? { flags: MessageFlags.Ephemeral as const } : {};
  let deferred: Promise<unknown> | undefined;
  let answered = false;
  const timer = setTimeout(() => {
    if (answered) return;
    deferred =
      opts.mode === 'update' && i.isMessageComponent() ? i.deferUpdate() : i.deferReply({ ...flags });
    // Its failure surfaces where the answer awaits it.
    deferred.catch(() => undefined);
  }, opts.withinMs);
  timer.unref();

  return {
    async first(payload) {
      clearTimeout(timer);
      answered = true;
      if (deferred) {
        await deferred;
        await i.editReply(options<InteractionEditReplyOptions>(payload));
      } else if (opts.mode === 'update' && i.isMessageComponent()) {
        await i.update(options<InteractionUpdateOptions>(payload));
      } else {
        await i.reply(options<InteractionReplyOptions>(payload, flags));
      }
    },
    async followUp(payload) {
      const m = await i.followUp(options<InteractionReplyOptions>(payload, flags));
      return m.id;
    },
    async notice(text) {
      clearTimeout(timer);
      answered = true;
      const body = { content: text, flags: MessageFlags.Ephemeral as const, ...NO_PINGS };
      if (deferred) await deferred.catch(() => undefined);
      // A deferred reply is a "thinking…" message: the notice replaces it.
      if (i.deferred && !i.replied && opts.mode === 'reply') await i.editReply({ content: text });
      else if (i.deferred || i.replied) await i.followUp(body);
      else await i.reply(body);
    },
    cancel() {
      clearTimeout(timer);
      answered = true;
    },
  };
}
