/**
 * The Discord adapter: the real discord.js client over the engine. Whole conversations in direct
 * messages; in a server, `/safestep` answers so only that person sees it and offers to continue
 * in DMs; `/safestep-card` lets moderators post a public card with a button that starts the same
 * private conversation. A person's case is never discussed in public. Nothing here decides what
 * to say: the engine does.
 */
import {
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  Client,
  Events,
  GatewayIntentBits,
  type Interaction,
  type Message,
  MessageFlags,
  MessageType,
  Partials,
  Routes,
  type StringSelectMenuInteraction,
} from 'discord.js';
import {
  type Engine,
  type Inbound,
  type Logger,
  pickLocale,
  type TurnResult,
  uiText,
} from '../../src/index.ts';
import { type Answer, type AnswerMode, answerInTime, DEFAULT_ACK_WITHIN_MS } from './answer.ts';
import { restOptions } from './api-root.ts';
import { CARD_CHOICE, CARD_COMMAND, COMMAND, DM_CHOICE } from './commands.ts';
import { decodeCustomId } from './custom-id.ts';
import { describeError, isDmClosed } from './errors.ts';
import { choiceInbound, dmInbound, localeOf, showWhereWeAre, slashInbounds } from './inbound.ts';
import { keyedQueue } from './queue.ts';
import { recentMemory, type SentMessage } from './recent.ts';
import { CONTENT_LIMIT, type Payload, plainText, renderReplies } from './render.ts';

export interface DiscordOptions {
  engine: Engine;
  logger: Logger;
  token: string;
  /** Needed only to delete ephemeral messages on a quick hide before READY names the application. */
  applicationId?: string;
  /** REST root, e.g. http://127.0.0.1:PORT/api for a local fake; the gateway URL comes from its /gateway/bot. */
  apiRoot?: string;
  /** Answer an interaction within this long, or acknowledge it first (Discord allows 3 s). */
  ackWithinMs?: number;
  /** How long stop() waits for turns in flight to send their replies. */
  drainMs?: number;
}

type Component = ButtonInteraction | StringSelectMenuInteraction;

const NO_PINGS = { allowedMentions: { parse: [] } };

export async function startDiscord(opts: DiscordOptions): Promise<{ stop(): Promise<void> }> {
  const { engine, logger } = opts;
  const ackWithinMs = opts.ackWithinMs ?? DEFAULT_ACK_WITHIN_MS;
  const client = new Client({
    // Minimal: servers (for slash commands and their locale) and DMs. No privileged intent:
    // DMs carry their content without MessageContent.
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.DirectMessages],
    // A DM channel is not cached before its first message: without this, DMs never arrive.
    partials: [Partials.Channel],
    rest: restOptions(opts.apiRoot),
  });
  const queue = keyedQueue();
  const recent = recentMemory();
  let stopping = false;

  const locales = engine.bundle.config.locales;
  const localeFor = (hint: string | undefined) =>
    pickLocale(hint, locales) ?? engine.bundle.config.defaultLocale;
  const ui = (locale: string, key: string) => uiText(engine.bundle, locale, key);
  /** The card's button: the locales' `card_button` when they have one, else the entry flow's title. */
  const cardLabel = (locale: string) => {
    const text = ui(locale, 'card_button');
    if (text !== 'card_button') return text;
    const entry = engine.bundle.flows.get(engine.bundle.config.entry)?.title;
    return entry?.[locale] ?? entry?.[engine.bundle.config.defaultLocale] ?? ui(locale, 'continue_dm');
  };
  const dmButton = (locale: string) => ({ id: DM_CHOICE, label: ui(locale, 'continue_dm') });

  // ---------- turns and their effects ----------

  /** Runs turns; a quick hide collects the person's earlier messages to delete once the answer is out. */
  async function turns(inbounds: Inbound[]): Promise<{ result: TurnResult; toHide: SentMessage[] }> {
    let result: TurnResult | undefined;
    let toHide: SentMessage[] = [];
    for (const inbound of inbounds) {
      result = await engine.handle(inbound);
      const userId = inbound.user.slice(3);
      if (result.effects.some((e) => e.type === 'hide')) toHide = [...toHide, ...recent.take(userId)];
      if (result.effects.some((e) => e.type === 'forgotten')) recent.forget(userId);
    }
    return { result: result!, toHide };
  }

  /** Deletes the bot's earlier messages to this person, newest first (the most visible). */
  async function hide(messages: SentMessage[]): Promise<void> {
    const appId = client.application?.id ?? opts.applicationId;
    for (const m of messages) {
      const route =
        m.kind === 'channel'
          ? Routes.channelMessage(m.channelId, m.id)
          : appId
            ? Routes.webhookMessage(appId, m.token, m.id)
            : undefined;
      if (!route) continue;
      // Already gone (the person deleted the DM, the token expired): nothing to hide.
      await client.rest.delete(route).catch((err) => logger.debug({ err: describeError(err) }, 'hide: skip'));
    }
  }

  // ---------- direct messages ----------

  async function onMessage(msg: Message): Promise<void> {
    if (msg.author.bot || msg.guildId || msg.author.id === client.user?.id) return;
    if (msg.type !== MessageType.Default && msg.type !== MessageType.Reply) return;
    const userId = msg.author.id;
    let locale = engine.bundle.config.defaultLocale;
    try {
      // A DM tells no language: the engine keeps the person's, or reads it from what they type.
      const { result, toHide } = await turns([dmInbound({ userId, id: msg.id, content: msg.content })]);
      locale = result.locale;
      await sendDm(msg.channelId, userId, renderReplies(result.replies));
      await hide(toHide);
    } catch (err) {
      report('direct message', err);
      await client.rest
        .post(Routes.channelMessages(msg.channelId), { body: { content: ui(locale, 'platform_error') } })
        .catch(() => undefined);
    }
  }

  async function sendDm(channelId: string, userId: string, payloads: Payload[]): Promise<void> {
    for (const p of payloads) {
      const sent = (await client.rest.post(Routes.channelMessages(channelId), {
        body: { ...p, allowed_mentions: { parse: [] } },
      })) as { id: string };
      recent.sent(userId, { kind: 'channel', channelId, id: sent.id });
    }
  }

  // ---------- interactions ----------

  async function onInteraction(i: Interaction): Promise<void> {
    if (i.isChatInputCommand()) {
      if (i.commandName === CARD_COMMAND) await postCard(i);
      else if (i.commandName === COMMAND) await onSlash(i);
    } else if (i.isButton() || i.isStringSelectMenu()) {
      await onComponent(i);
    }
  }

  /** The public card: what SafeStep is and how to reach it privately; nobody's data. */
  async function postCard(i: ChatInputCommandInteraction): Promise<void> {
    const locale = localeFor(i.guildLocale ?? i.locale);
    await i.reply({
      content: ui(locale, 'card'),
      components: [
        {
          type: 1,
          components: [
            {
              type: 2,
              style: 1,
              custom_id: `|${CARD_CHOICE}`,
              label: cardLabel(locale),
            },
          ],
        },
      ],
      ...NO_PINGS,
    } as never);
  }

  async function onSlash(i: ChatInputCommandInteraction): Promise<void> {
    const inGuild = i.inGuild();
    const userId = i.user.id;
    const hint = localeOf(i);
    const inbounds = slashInbounds({
      userId,
      id: i.id,
      locale: hint,
      topic: i.options.getString('topic'),
      text: i.options.getString('text'),
    });
    await converse(i, 'reply', inGuild, inbounds);
  }

  async function onComponent(i: Component): Promise<void> {
    const userId = i.user.id;
    const hint = localeOf(i);
    const decoded = decodeCustomId(i.customId);
    const choice = i.isStringSelectMenu() ? i.values[0] : decoded?.choice;
    const ephemeral = Boolean(i.message.flags?.has(MessageFlags.Ephemeral));
    if (choice === DM_CHOICE) return continueInDm(i, hint);
    if (choice === CARD_CHOICE) {
      // From the public card: a private conversation for whoever pressed, in the server.
      return converse(i, 'reply', i.inGuild(), [showWhereWeAre({ userId, locale: hint })]);
    }
    // A button the adapter cannot read (an older version's): show where the person is, kindly.
    const inbound =
      choice && decoded
        ? choiceInbound({
            userId,
            id: i.id,
            locale: hint,
            choice,
            ...(decoded.stamp ? { stamp: decoded.stamp } : {}),
          })
        : showWhereWeAre({ userId, locale: hint });
    await converse(i, 'update', ephemeral && i.inGuild(), [inbound]);
  }

  /**
   * One interaction's turn. 'reply': the answer is a new message; 'update': the pressed message
   * keeps its text, shows the answer chosen and loses its buttons (it cannot be answered twice),
   * and the replies follow. Private (ephemeral) in a server, with the offer to move to DMs.
   */
  async function converse(
    i: ChatInputCommandInteraction | Component,
    mode: AnswerMode,
    inPrivate: boolean,
    inbounds: Inbound[],
  ): Promise<void> {
    const userId = i.user.id;
    const answer = answerInTime(i, { mode, ephemeral: inPrivate, withinMs: ackWithinMs });
    await queue.run(userId, async () => {
      try {
        const { result, toHide } = await turns(inbounds);
        const extra = inPrivate ? [dmButton(result.locale)] : [];
        const payloads = renderReplies(result.replies, extra);
        // After the interaction's own answer, a DM goes on as ordinary DM messages; a server
        // conversation as private follow-ups, which only the interaction's token reaches.
        const dmChannel = i.inGuild() ? undefined : (i.channelId ?? undefined);
        const more = async (ps: Payload[]) => {
          if (dmChannel) await sendDm(dmChannel, userId, ps);
          else remember(i, userId, await followUps(answer, ps));
        };
        if (mode === 'update' && i.isMessageComponent()) {
          await answer.first({ content: pressedContent(i), components: [] });
          await more(payloads);
        } else {
          const [first, ...rest] = payloads;
          await answer.first(first ?? { content: '…', components: [] });
          remember(i, userId, ['@original']);
          await more(rest);
        }
        await hide(toHide);
      } catch (err) {
        report(`interaction ${mode}`, err);
        await answer.notice(ui(localeFor(localeOf(i)), 'platform_error')).catch(() => undefined);
      }
    });
  }

  async function followUps(answer: Answer, payloads: Payload[]): Promise<string[]> {
    const ids: string[] = [];
    for (const p of payloads) ids.push(await answer.followUp(p));
    return ids;
  }

  /** Messages sent through an interaction's webhook: its token reaches them for 15 minutes. */
  function remember(i: Interaction, userId: string, ids: string[]): void {
    for (const id of ids) recent.sent(userId, { kind: 'webhook', token: i.token, id, at: Date.now() });
  }

  /** Moves the conversation to DMs: the current step is sent there; the private message says so. */
  async function continueInDm(i: Component, hint: string | undefined): Promise<void> {
    const userId = i.user.id;
    const answer = answerInTime(i, { mode: 'update', ephemeral: true, withinMs: ackWithinMs });
    await queue.run(userId, async () => {
      try {
        const { result } = await turns([showWhereWeAre({ userId, locale: hint })]);
        const payloads = renderReplies(result.replies);
        try {
          const dm = await i.user.createDM();
          await sendDm(dm.id, userId, payloads);
        } catch (err) {
          if (!isDmClosed(err)) throw err;
          // DMs closed: say so, and keep going here, privately.
          await answer.first({ content: pressedContent(i), components: [] });
          const note = { content: ui(result.locale, 'dm_closed'), components: [] };
          remember(i, userId, await followUps(answer, [note, ...payloads]));
          return;
        }
        await answer.first({ content: ui(result.locale, 'continued_dm'), components: [] });
      } catch (err) {
        report('continue in DMs', err);
        await answer.notice(ui(localeFor(hint), 'platform_error')).catch(() => undefined);
      }
    });
  }

  /** Errors from Discord: one log line with what failed and where; never text or tokens. */
  function report(where: string, err: unknown): void {
    logger.error(
      { where, err: describeError(err) },
      'discord: could not answer; the person was asked to retry',
    );
  }

  // ---------- the client ----------

  const inflight = new Set<Promise<void>>();
  const track = (p: Promise<void>) => {
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  };
  client.on(Events.MessageCreate, (msg) => {
    if (stopping) return;
    track(queue.run(msg.author.id, () => onMessage(msg)).catch((err) => report('message', err)));
  });
  client.on(Events.InteractionCreate, (i) => {
    if (stopping) return;
    track(onInteraction(i).catch((err) => report('interaction', err)));
  });
  // The client reconnects and resumes by itself. One line when the gateway is lost, one when it
  // is back: retries every half second must not flood the log during an outage.
  let lost = false;
  client.on(Events.Error, (err) => logger.error({ err: describeError(err) }, 'discord client error'));
  client.on(Events.Warn, (message) => logger.warn({ warning: message }, 'discord client warning'));
  client.on(Events.ShardReconnecting, (shard) => {
    // destroy() on stop closes the socket too: that is no outage.
    if (stopping) return;
    if (lost) return logger.debug({ shard }, 'discord gateway: still reconnecting');
    lost = true;
    logger.warn({ shard }, 'discord gateway lost; reconnecting');
  });
  const back = (shard: number, how: string) => {
    if (!lost) return;
    lost = false;
    logger.info({ shard, how }, 'discord gateway back');
  };
  client.on(Events.ShardResume, (shard) => back(shard, 'resumed'));
  client.on(Events.ShardReady, (shard) => back(shard, 'identified'));
  client.on(Events.ShardDisconnect, (event, shard) =>
    logger.error(
      { shard, code: event.code },
      'discord gateway closed for good (check the token and intents)',
    ),
  );
  client.rest.on('rateLimited', (info) =>
    logger.warn(
      { route: info.route, retryAfterMs: info.retryAfter, global: info.global },
      'discord rate limit; waiting',
    ),
  );

  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(opts.token);
  await ready;
  logger.info({ guilds: client.guilds.cache.size, shard: client.shard?.ids }, 'discord client ready');

  return {
    /** Stops taking events, lets turns in flight send their replies (bounded), then disconnects. */
    async stop() {
      stopping = true;
      const drained = Promise.allSettled([...inflight]).then(() => queue.idle());
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([drained, new Promise<void>((r) => (timer = setTimeout(r, opts.drainMs ?? 5000)))]);
      clearTimeout(timer);
      await client.destroy();
    },
  };
}

/** The pressed message keeps its text and shows the answer chosen. */
function pressedContent(i: Component): string {
  const label = i.isStringSelectMenu()
    ? i.component?.options.find((o) => o.value === i.values[0])?.label
    : (i.component as { label?: string | null } | undefined)?.label;
  const text = `${i.message.content}${label ? `\n\n→ ${plainText(label)}` : ''}`.trim();
  return [...text].slice(0, CONTENT_LIMIT).join('') || '…';
}
