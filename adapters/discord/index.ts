/**
 * The Discord adapter: the real discord.js client over the engine. Whole conversations in direct
 * messages; in a server, `/safestep` answers so only that person sees it and offers to continue
 * in DMs. A person's case is never discussed in public. Nothing here decides what to say.
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
  Partials,
  type StringSelectMenuInteraction,
} from 'discord.js';
import {
  type Engine,
  type Inbound,
  type Logger,
  parseCommand,
  type TurnResult,
  uiText,
} from '../../src/index.ts';
import { CARD_COMMAND, COMMAND } from './commands.ts';
import { decodeCustomId, encodeCustomId } from './custom-id.ts';
import { type Payload, renderReplies } from './render.ts';

export interface DiscordOptions {
  engine: Engine;
  logger: Logger;
  token: string;
  applicationId?: string;
  /** REST root, e.g. http://127.0.0.1:PORT/api for a local fake; the gateway URL comes from it. */
  apiRoot?: string;
}

/** The adapter's own button: move an ephemeral conversation to direct messages. */
const DM_CHOICE = 'dc:dm';
/** How many of its recent DM messages per person the bot remembers, for quick hide. */
const HIDE_MEMORY = 30;

export async function startDiscord(opts: DiscordOptions): Promise<{ stop(): Promise<void> }> {
  const { engine, logger } = opts;
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.DirectMessages],
    partials: [Partials.Channel],
    ...(opts.apiRoot ? { rest: { api: opts.apiRoot } } : {}),
  });
  const sentInDm = new Map<string, { channelId: string; ids: string[] }>();
  const ui = (locale: string, key: string) => uiText(engine.bundle, locale, key);

  const remember = (userId: string, m: Message) => {
    if (m.guildId) return;
    const entry = sentInDm.get(userId) ?? { channelId: m.channelId, ids: [] };
    entry.ids = [...entry.ids, m.id].slice(-HIDE_MEMORY);
    sentInDm.set(userId, entry);
  };

  /** Quick hide in DMs: delete the bot's recent messages; the neutral reply then stands alone. */
  async function hide(userId: string): Promise<void> {
    const entry = sentInDm.get(userId);
    if (!entry) return;
    sentInDm.delete(userId);
    const channel = await client.channels.fetch(entry.channelId).catch(() => null);
    if (!channel || !('messages' in channel)) return;
    await Promise.all(entry.ids.map((id) => channel.messages.delete(id).catch(() => undefined)));
  }

  async function turn(inbound: Inbound): Promise<TurnResult> {
    const result = await engine.handle(inbound);
    if (result.effects.some((e) => e.type === 'hide')) await hide(inbound.user.slice(3));
    if (result.effects.some((e) => e.type === 'forgotten')) sentInDm.delete(inbound.user.slice(3));
    return result;
  }

  async function onMessage(msg: Message): Promise<void> {
    // Only direct messages: without the MessageContent intent, server messages never reach us.
    if (msg.author.bot || msg.guildId) return;
    const user = `dc:${msg.author.id}`;
    const cmd = parseCommand(msg.content);
    const inbound: Inbound = cmd
      ? {
          user,
          channel: 'discord',
          id: msg.id,
          kind: 'command',
          ...(cmd.command === 'start' && cmd.arg ? { flow: cmd.arg } : {}),
          ...cmd,
        }
      : { user, channel: 'discord', id: msg.id, kind: 'text', text: msg.content };
    const result = await turn(inbound);
    for (const p of renderReplies(result.replies)) {
      if (!('send' in msg.channel)) return;
      const sent = await msg.channel.send(p as never);
      remember(msg.author.id, sent);
    }
  }

  async function onSlash(i: ChatInputCommandInteraction): Promise<void> {
    if (i.commandName === CARD_COMMAND) {
      await i.reply({ content: ui(pickLocale(i.locale), 'card') });
      return;
    }
    if (i.commandName !== COMMAND) return;
    const topic = i.options.getString('topic') ?? undefined;
    const text = i.options.getString('text') ?? undefined;
    const base = { user: `dc:${i.user.id}`, channel: 'discord', id: i.id, locale: i.locale };
    const inbound: Inbound = topic
      ? { ...base, kind: 'command', command: 'start', flow: topic }
      : text
        ? { ...base, kind: 'text', text, forwarded: true }
        : { ...base, kind: 'command', command: 'start' };
    const result = await turn(inbound);
    const inGuild = Boolean(i.guildId);
    // In a server only this person sees the answers, and may move to DMs.
    const extra = inGuild ? [{ id: DM_CHOICE, label: ui(result.locale, 'continue_dm') }] : [];
    const payloads = renderReplies(result.replies, extra);
    const flags = inGuild ? MessageFlags.Ephemeral : undefined;
    await respond(i, payloads, flags);
  }

  async function onComponent(i: ButtonInteraction | StringSelectMenuInteraction): Promise<void> {
    const decoded = decodeCustomId(i.customId);
    if (!decoded) return;
    const ephemeral = Boolean(i.message.flags?.has(MessageFlags.Ephemeral));
    const locale = i.locale;
    if (decoded.choice === DM_CHOICE) {
      await continueInDm(i, locale);
      return;
    }
    const choice = i.isStringSelectMenu() ? (i.values[0] ?? '') : decoded.choice;
    const result = await turn({
      user: `dc:${i.user.id}`,
      channel: 'discord',
      id: i.id,
      locale,
      kind: 'choice',
      choice,
      ...(decoded.stamp ? { stamp: decoded.stamp } : {}),
    });
    // The pressed message keeps its text and loses its buttons, so it cannot be answered twice.
    const label = i.isButton() ? (i.component as { label?: string } | null)?.label : undefined;
    const content = `${i.message.content}${label ? `\n\n→ ${label}` : ''}`.slice(0, 2000);
    await i.update({ content, components: [] });
    const extra = ephemeral ? [{ id: DM_CHOICE, label: ui(result.locale, 'continue_dm') }] : [];
    for (const p of renderReplies(result.replies, extra)) {
      const sent = await i.followUp({
        ...p,
        ...(ephemeral ? { flags: MessageFlags.Ephemeral } : {}),
      } as never);
      remember(i.user.id, sent);
    }
  }

  async function continueInDm(
    i: ButtonInteraction | StringSelectMenuInteraction,
    locale: string,
  ): Promise<void> {
    const result = await turn({
      user: `dc:${i.user.id}`,
      channel: 'discord',
      locale,
      kind: 'choice',
      choice: '_more',
    });
    try {
      const dm = await i.user.createDM();
      for (const p of renderReplies(result.replies)) remember(i.user.id, await dm.send(p as never));
      await i.update({ content: ui(result.locale, 'continued_dm'), components: [] });
    } catch (err) {
      logger.warn({ err: describe(err) }, 'could not open a DM');
      await i.reply({ content: ui(result.locale, 'dm_closed'), flags: MessageFlags.Ephemeral });
    }
  }

  async function respond(
    i: ChatInputCommandInteraction,
    payloads: Payload[],
    flags: MessageFlags.Ephemeral | undefined,
  ) {
    const [first, ...rest] = payloads;
    if (!first) return;
    await i.reply({ ...first, ...(flags ? { flags } : {}) } as never);
    for (const p of rest) {
      const sent = await i.followUp({ ...p, ...(flags ? { flags } : {}) } as never);
      remember(i.user.id, sent);
    }
  }

  async function onInteraction(i: Interaction): Promise<void> {
    if (i.isChatInputCommand()) await onSlash(i);
    else if (i.isButton() || i.isStringSelectMenu()) await onComponent(i);
  }

  /** Errors from Discord are logged once, with context; the person gets a short retry notice. */
  async function guarded(
    where: string,
    locale: string,
    fn: () => Promise<void>,
    notify: (text: string) => Promise<unknown>,
  ) {
    try {
      await fn();
    } catch (err) {
      logger.error({ err: describe(err), where }, 'discord handler failed');
      await notify(ui(pickLocale(locale), 'platform_error')).catch(() => undefined);
    }
  }

  client.on(Events.Error, (err) => logger.error({ err: describe(err) }, 'discord client error'));
  client.on(Events.ShardDisconnect, (_e, shard) =>
    logger.warn({ shard }, 'gateway disconnected; reconnecting'),
  );
  client.on(Events.MessageCreate, (msg) => {
    void guarded(
      'message',
      engine.bundle.config.defaultLocale,
      () => onMessage(msg),
      (text) => ('send' in msg.channel ? msg.channel.send({ content: text }) : Promise.resolve()),
    );
  });
  client.on(Events.InteractionCreate, (i) => {
    void guarded(
      'interaction',
      'locale' in i ? i.locale : 'en',
      () => onInteraction(i),
      async (text) => {
        if (!i.isRepliable()) return;
        if (i.replied || i.deferred) await i.followUp({ content: text, flags: MessageFlags.Ephemeral });
        else await i.reply({ content: text, flags: MessageFlags.Ephemeral });
      },
    );
  });

  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(opts.token);
  await ready;
  logger.info({ guilds: client.guilds.cache.size }, 'discord client ready');
  return {
    async stop() {
      await client.destroy();
    },
  };

  function pickLocale(l: string): string {
    return l.toLowerCase().startsWith('zh') ? 'zh-CN' : engine.bundle.config.defaultLocale;
  }
}

/** Error details without request bodies (they may hold what a person typed). */
function describe(err: unknown): { name: string; message: string; code?: unknown; status?: unknown } {
  const e = err as { name?: string; message?: string; code?: unknown; status?: unknown };
  return { name: e?.name ?? 'Error', message: String(e?.message ?? err), code: e?.code, status: e?.status };
}

export { encodeCustomId };
