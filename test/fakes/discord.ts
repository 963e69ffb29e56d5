/**
 * A local fake of Discord for tests: the REST API under http://127.0.0.1:PORT/api and a gateway
 * over WebSocket, speaking enough of both for the real discord.js client.
 *
 * It behaves like Discord where a bot can get it wrong: messages are checked against Discord's
 * limits (2000 characters, 5 rows, 5 buttons a row, labels of 80, custom_id of 1–100, 25 select
 * options) and refused with Discord's own error bodies; an interaction is acknowledged once, within
 * its window, before follow-ups; a deleted message is gone; 204 carries no JSON content-type; the
 * gateway resumes a dropped session and replays what was missed. A test injects direct messages,
 * slash commands and button presses, reads what each person sees, and can answer 429 or other
 * errors for the next calls of a route.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

export interface RestCall {
  method: string;
  path: string;
  body: Record<string, unknown> | undefined;
  /** The HTTP status the fake answered. */
  status?: number;
}

export interface FakeUser {
  id: string;
  username: string;
}

/** A message as Discord holds it now (edits applied, deletions marked). */
export interface FakeMessage {
  id: string;
  channelId: string;
  content: string;
  components: Row[];
  flags: number;
  deleted: boolean;
  /** For an ephemeral message: the one person who sees it. */
  visibleTo?: string;
  /** The interaction whose reply or follow-up this is. */
  interactionId?: string;
}

interface Row {
  type: number;
  components: Component[];
}
interface Component {
  type: number;
  custom_id?: string;
  label?: string;
  style?: number;
  url?: string;
  options?: { label: string; value: string }[];
}

export interface FakeOptions {
  /** How long an interaction may wait for its first answer (Discord: 3 s). */
  ackWindowMs?: number;
  /** The server's preferred locale, sent as guild_locale. */
  guildLocale?: string;
}

export interface PressOptions {
  /** Default: where the message is (a server channel or the DM). */
  inGuild?: boolean;
  /** Default: the message's own flags. */
  ephemeral?: boolean;
  locale?: string;
  /** For a select menu: the values picked. */
  values?: string[];
}

export interface FakeDiscord {
  apiRoot: string;
  appId: string;
  botId: string;
  guildId: string;
  /** REST calls the fake accepted (2xx), in order. */
  calls: RestCall[];
  /** REST calls the fake refused (429, injected failures, Discord's validation errors). */
  refused: RestCall[];
  /** What the gateway saw: IDENTIFY payloads and RESUMEs. */
  gateway: { identifies: { shard?: [number, number]; intents: number }[]; resumes: number };
  /** Commands registered, by scope: 'global' or a guild id. */
  commands: Map<string, { name: string }[]>;
  /** Answer 429 (with Retry-After and Discord's JSON body) for the next `times` calls whose path matches. */
  rateLimit(pathPattern: RegExp, times: number, retryAfterSeconds?: number): void;
  /** Answer an error for the next `times` calls whose path (and method, if given) matches. */
  fail(
    pathPattern: RegExp,
    times: number,
    error: { status: number; code: number; message: string; method?: string },
  ): void;
  /** The person does not accept DMs from the bot: sending to them is refused (50007). */
  closeDms(user: FakeUser): void;
  /** Resolves when the bot has identified (or resumed) and received READY. */
  ready(): Promise<void>;
  dm(user: FakeUser, content: string): string;
  slash(
    user: FakeUser,
    name: string,
    options: { name: string; value: string }[],
    locale?: string,
    where?: { dm?: boolean },
  ): string;
  /** Presses a button (or picks in a select menu) on the newest message that carries this custom_id. */
  press(user: FakeUser, customId: string, opts?: PressOptions): string;
  /** Waits until an accepted call satisfies the predicate; returns it. */
  waitFor(pred: (c: RestCall) => boolean, timeoutMs?: number): Promise<RestCall>;
  /** Messages the bot showed: DMs and channel messages, interaction replies, updates and follow-ups. */
  shown(): RestCall[];
  /** Messages now in the person's DM with the bot (deleted ones gone), oldest first. */
  dmScreen(user: FakeUser): FakeMessage[];
  /** Every message the bot created, as it is now. */
  messages(): FakeMessage[];
  /** Cuts the gateway connection abruptly; the client is expected to resume by itself. */
  dropGateway(): void;
  close(): Promise<void>;
}

const snowflake = (() => {
  let n = 1_100_000_000_000_000_000n;
  return () => String(++n);
})();

const CONTENT_LIMIT = 2000;

/** Discord's error body for an invalid form, with the field that failed. */
function formError(field: string, code: string, message: string) {
  return { code: 50035, message: 'Invalid Form Body', errors: { [field]: { _errors: [{ code, message }] } } };
}

/** Checks a message payload as Discord does; undefined when it is acceptable. */
export function invalidMessage(
  body: Record<string, unknown> | undefined,
  opts: { allowEmpty?: boolean } = {},
): object | undefined {
  const content = typeof body?.content === 'string' ? body.content : '';
  if ([...content].length > CONTENT_LIMIT)
    return formError('content', 'BASE_TYPE_MAX_LENGTH', `Must be ${CONTENT_LIMIT} or fewer in length.`);
  const rows = (body?.components ?? []) as Row[];
  const embeds = (body?.embeds ?? []) as unknown[];
  if (!opts.allowEmpty && !content && rows.length === 0 && embeds.length === 0)
    return { code: 50006, message: 'Cannot send an empty message' };
  if (rows.length > 5)
    return formError('components', 'BASE_TYPE_BAD_LENGTH', 'Must be between 0 and 5 in length.');
  const ids = new Set<string>();
  for (const [r, row] of rows.entries()) {
    const at = `components.${r}.components`;
    if (row.type !== 1)
      return formError(`components.${r}.type`, 'COMPONENT_LAYOUT_INVALID', 'Not an action row.');
    const items = row.components ?? [];
    if (items.length < 1 || items.length > 5)
      return formError(at, 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.');
    if (items.some((c) => c.type === 3) && items.length > 1)
      return formError(at, 'COMPONENT_LAYOUT_WIDTH_EXCEEDED', 'A select menu takes a whole row.');
    for (const [k, c] of items.entries()) {
      const here = `${at}.${k}`;
      if (c.type === 2 && c.style !== 5) {
        if ((c.label ?? '').length > 80)
          return formError(`${here}.label`, 'BASE_TYPE_MAX_LENGTH', 'Must be 80 or fewer in length.');
      }
      if (c.type === 2 || c.type === 3) {
        const id = c.custom_id ?? '';
        if (c.style !== 5 && (id.length < 1 || id.length > 100))
          return formError(
            `${here}.custom_id`,
            'BASE_TYPE_BAD_LENGTH',
            'Must be between 1 and 100 in length.',
          );
        if (id && ids.has(id))
          return formError(`${here}.custom_id`, 'COMPONENT_CUSTOM_ID_DUPLICATED', 'Duplicate custom_id.');
        ids.add(id);
      }
      if (c.type === 3) {
        const options = c.options ?? [];
        if (options.length < 1 || options.length > 25)
          return formError(`${here}.options`, 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 25 in length.');
        if (options.some((o) => o.label.length > 100 || o.value.length > 100))
          return formError(`${here}.options`, 'BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer in length.');
      }
    }
  }
  return undefined;
}

interface Interaction {
  id: string;
  token: string;
  userId: string;
  channelId: string;
  at: number;
  acked: boolean;
  /** The message @original names: the reply, or the message a component was on. */
  original?: string;
  /** For component interactions: the message the component was on. */
  source?: string;
}

interface Session {
  id: string;
  shard: [number, number];
  ws: WebSocket | undefined;
  seq: number;
  /** Dispatches kept for RESUME. */
  buffer: { s: number; frame: string }[];
}

export async function startFakeDiscord(options: FakeOptions = {}): Promise<FakeDiscord> {
  const ackWindowMs = options.ackWindowMs ?? 3000;
  const appId = snowflake();
  const botId = appId;
  const guildId = snowflake();
  const calls: RestCall[] = [];
  const refused: RestCall[] = [];
  const faults: {
    pattern: RegExp;
    times: number;
    status: number;
    body: object;
    method?: string;
    headers?: Record<string, string>;
  }[] = [];
  const sockets = new Set<WebSocket>();
  const sessions = new Map<string, Session>();
  const gateway: FakeDiscord['gateway'] = { identifies: [], resumes: 0 };
  const commands = new Map<string, { name: string }[]>();
  const store = new Map<string, FakeMessage>();
  const order: string[] = [];
  const interactions = new Map<string, Interaction>();
  const byToken = new Map<string, Interaction>();
  const dmChannels = new Map<string, string>();
  const dmOwner = new Map<string, string>();
  const closedDms = new Set<string>();
  const guildChannel = snowflake();
  let readyResolve: () => void = () => {};
  let readyPromise = new Promise<void>((r) => {
    readyResolve = r;
  });
  const waiters: { pred: (c: RestCall) => boolean; resolve: (c: RestCall) => void }[] = [];

  const record = (call: RestCall) => {
    calls.push(call);
    for (const w of [...waiters]) {
      if (w.pred(call)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(call);
      }
    }
  };

  const botUser = {
    id: botId,
    username: 'SafeStep',
    discriminator: '0',
    bot: true,
    avatar: null,
    global_name: null,
  };

  const dmChannelOf = (userId: string) => {
    let id = dmChannels.get(userId);
    if (!id) {
      id = snowflake();
      dmChannels.set(userId, id);
      dmOwner.set(id, userId);
    }
    return id;
  };

  const toApi = (m: FakeMessage) => ({
    id: m.id,
    channel_id: m.channelId,
    author: botUser,
    content: m.content,
    components: m.components,
    embeds: [],
    attachments: [],
    mentions: [],
    mention_roles: [],
    mention_everyone: false,
    pinned: false,
    tts: false,
    type: m.interactionId ? 20 : 0,
    flags: m.flags,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    ...(m.channelId === guildChannel ? { guild_id: guildId } : {}),
  });

  const create = (
    channelId: string,
    body: Record<string, unknown> | undefined,
    extra: Partial<FakeMessage> = {},
  ) => {
    const m: FakeMessage = {
      id: snowflake(),
      channelId,
      content: String(body?.content ?? ''),
      components: (body?.components ?? []) as Row[],
      flags: Number(body?.flags ?? 0),
      deleted: false,
      ...extra,
    };
    store.set(m.id, m);
    order.push(m.id);
    return m;
  };

  const edit = (m: FakeMessage, body: Record<string, unknown> | undefined) => {
    if (body && 'content' in body) m.content = String(body.content ?? '');
    if (body && 'components' in body) m.components = (body.components ?? []) as Row[];
  };

  const server: Server = createServer((req, res) => void handle(req, res));
  const wss = new WebSocketServer({ server });

  async function readBody(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (chunks.length === 0) return undefined;
    const raw = Buffer.concat(chunks).toString('utf8');
    const type = req.headers['content-type'] ?? '';
    if (type.startsWith('multipart/')) {
      const json = /\{[\s\S]*\}/.exec(raw.split('name="payload_json"')[1] ?? '')?.[0];
      return json ? JSON.parse(json) : undefined;
    }
    return raw ? JSON.parse(raw) : undefined;
  }

  function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) {
    if (body === undefined) {
      // No JSON content-type on 204: discord.js would try to parse the empty body.
      res.writeHead(status, headers).end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = decodeURIComponent(url.pathname.replace(/^\/api(\/v\d+)?/, ''));
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    const call: RestCall = { method, path, body };
    const refuse = (status: number, err: object, headers: Record<string, string> = {}) => {
      call.status = status;
      refused.push(call);
      send(res, status, err, headers);
    };
    const ok = (status: number, out?: unknown) => {
      call.status = status;
      record(call);
      send(res, status, out);
    };

    if (method === 'GET' && (path === '/gateway/bot' || path === '/gateway')) {
      const port = (server.address() as AddressInfo).port;
      return send(res, 200, {
        url: `ws://127.0.0.1:${port}`,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
      });
    }
    const fault = faults.find(
      (f) => f.times > 0 && f.pattern.test(path) && (!f.method || f.method === method),
    );
    if (fault) {
      fault.times--;
      return refuse(fault.status, fault.body, fault.headers);
    }

    // ---- users and DM channels
    if (method === 'GET' && path === '/users/@me') return ok(200, botUser);
    if (method === 'POST' && path === '/users/@me/channels') {
      const recipient = String(body?.recipient_id);
      return ok(200, {
        id: dmChannelOf(recipient),
        type: 1,
        recipients: [
          { id: recipient, username: 'user', discriminator: '0', avatar: null, global_name: null },
        ],
      });
    }
    const channel = /^\/channels\/(\d+)$/.exec(path);
    if (channel && method === 'GET') {
      const owner = dmOwner.get(channel[1]!);
      if (owner) {
        return ok(200, {
          id: channel[1],
          type: 1,
          recipients: [{ id: owner, username: 'user', discriminator: '0', avatar: null, global_name: null }],
        });
      }
      if (channel[1] === guildChannel)
        return ok(200, { id: guildChannel, type: 0, guild_id: guildId, name: 'general' });
      return refuse(404, { code: 10003, message: 'Unknown Channel' });
    }
    if (/^\/channels\/\d+\/typing$/.test(path) && method === 'POST') return ok(204);

    // ---- channel messages
    const post = /^\/channels\/(\d+)\/messages$/.exec(path);
    if (post && method === 'POST') {
      const owner = dmOwner.get(post[1]!);
      if (owner && closedDms.has(owner))
        return refuse(403, { code: 50007, message: 'Cannot send messages to this user' });
      const invalid = invalidMessage(body);
      if (invalid) return refuse(400, invalid);
      return ok(200, toApi(create(post[1]!, body)));
    }
    const one = /^\/channels\/(\d+)\/messages\/(\d+)$/.exec(path);
    if (one) {
      const m = store.get(one[2]!);
      if (!m || m.deleted || m.channelId !== one[1])
        return refuse(404, { code: 10008, message: 'Unknown Message' });
      if (m.flags & 64) return refuse(404, { code: 10008, message: 'Unknown Message' });
      if (method === 'DELETE') {
        m.deleted = true;
        return ok(204);
      }
      if (method === 'PATCH') {
        const invalid = invalidMessage(body, { allowEmpty: true });
        if (invalid) return refuse(400, invalid);
        edit(m, body);
      }
      return ok(200, toApi(m));
    }

    // ---- interactions: one answer each, within the window
    const cb = /^\/interactions\/(\d+)\/([^/]+)\/callback$/.exec(path);
    if (cb && method === 'POST') {
      const it = interactions.get(cb[1]!);
      if (!it || it.token !== cb[2] || Date.now() - it.at > ackWindowMs)
        return refuse(404, { code: 10062, message: 'Unknown interaction' });
      if (it.acked)
        return refuse(400, { code: 40060, message: 'Interaction has already been acknowledged.' });
      const type = Number(body?.type);
      const data = (body?.data ?? {}) as Record<string, unknown>;
      const ephemeral = (Number(data.flags ?? 0) & 64) !== 0;
      if (type === 4 || type === 7) {
        const invalid = invalidMessage(data, { allowEmpty: type === 7 });
        if (invalid) return refuse(400, invalid);
      }
      if ((type === 6 || type === 7) && !it.source)
        return refuse(400, { code: 40004, message: 'Interaction has no message' });
      if (![4, 5, 6, 7].includes(type))
        return refuse(400, formError('type', 'BASE_TYPE_CHOICES', 'Value must be one of {4, 5, 6, 7}.'));
      it.acked = true;
      if (type === 4 || type === 5) {
        it.original = create(
          it.channelId,
          { ...data, content: type === 5 ? '' : data.content },
          {
            interactionId: it.id,
            ...(ephemeral ? { visibleTo: it.userId } : {}),
          },
        ).id;
      } else {
        it.original = it.source;
        if (type === 7) edit(store.get(it.source!)!, data);
      }
      return ok(204);
    }
    const hook = /^\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/([^/]+))?$/.exec(path);
    if (hook) {
      const it = byToken.get(hook[2]!);
      if (!it || hook[1] !== appId || !it.acked)
        return refuse(404, { code: 10015, message: 'Unknown Webhook' });
      if (!hook[3] && method === 'POST') {
        const invalid = invalidMessage(body);
        if (invalid) return refuse(400, invalid);
        const ephemeral = (Number(body?.flags ?? 0) & 64) !== 0;
        const m = create(it.channelId, body, {
          interactionId: it.id,
          ...(ephemeral ? { visibleTo: it.userId } : {}),
        });
        return ok(200, toApi(m));
      }
      const id = hook[3] === '@original' ? it.original : hook[3];
      const m = id ? store.get(id) : undefined;
      if (!m || m.deleted) return refuse(404, { code: 10008, message: 'Unknown Message' });
      if (method === 'DELETE') {
        m.deleted = true;
        return ok(204);
      }
      if (method === 'PATCH') {
        const invalid = invalidMessage({ content: m.content, ...body }, { allowEmpty: false });
        if (invalid) return refuse(400, invalid);
        edit(m, body);
      }
      return ok(200, toApi(m));
    }

    // ---- application commands
    const cmds = /^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/.exec(path);
    if (cmds) {
      const scope = cmds[2] ?? 'global';
      if (method === 'PUT') {
        const list = (Array.isArray(body) ? body : []) as { name: string }[];
        const bad = list.findIndex(
          (c) => !/^[-_\p{L}\p{N}]{1,32}$/u.test(c.name) || c.name !== c.name.toLowerCase(),
        );
        if (bad >= 0)
          return refuse(400, formError(`${bad}.name`, 'APPLICATION_COMMAND_INVALID_NAME', 'Invalid name.'));
        commands.set(scope, list);
        return ok(
          200,
          list.map((c) => ({ id: snowflake(), application_id: appId, version: '1', ...c })),
        );
      }
      if (method === 'GET') return ok(200, commands.get(scope) ?? []);
    }
    if (method === 'GET' && (path === '/applications/@me' || path === `/applications/${appId}`))
      return ok(200, {
        id: appId,
        name: 'SafeStep',
        flags: 0,
        bot_public: true,
        bot_require_code_grant: false,
      });
    refuse(404, { message: '404: Not Found', code: 0 });
  }

  // ---------- gateway ----------

  const guildShard = (shardCount: number) => Number((BigInt(guildId) >> 22n) % BigInt(shardCount));

  function frame(session: Session, t: string, d: unknown): void {
    session.seq += 1;
    const text = JSON.stringify({ op: 0, t, s: session.seq, d });
    session.buffer.push({ s: session.seq, frame: text });
    if (session.buffer.length > 1000) session.buffer.shift();
    session.ws?.send(text);
  }

  /** Guild events go to the shard that owns the guild; DMs to shard 0, as Discord routes them. */
  function dispatch(t: string, d: unknown, guild: boolean) {
    for (const s of sessions.values()) {
      const target = guild ? guildShard(s.shard[1]) : 0;
      if (s.shard[0] === target) frame(s, t, d);
    }
  }

  function identify(ws: WebSocket, d: { shard?: [number, number]; intents: number }) {
    gateway.identifies.push({ ...(d.shard ? { shard: d.shard } : {}), intents: d.intents });
    const shard = d.shard ?? [0, 1];
    // A shard identifying again replaces its earlier session.
    for (const [id, s] of sessions)
      if (s.shard[0] === shard[0] && s.shard[1] === shard[1]) sessions.delete(id);
    const session: Session = { id: randomUUID(), shard, ws, seq: 0, buffer: [] };
    sessions.set(session.id, session);
    sessionOf.set(ws, session);
    const owns = guildShard(shard[1]) === shard[0];
    const port = (server.address() as AddressInfo).port;
    frame(session, 'READY', {
      v: 10,
      user: botUser,
      guilds: owns ? [{ id: guildId, unavailable: true }] : [],
      session_id: session.id,
      resume_gateway_url: `ws://127.0.0.1:${port}`,
      shard,
      application: { id: appId, flags: 0 },
    });
    if (owns) {
      frame(session, 'GUILD_CREATE', {
        id: guildId,
        name: 'Student Association',
        icon: null,
        owner_id: snowflake(),
        preferred_locale: options.guildLocale ?? 'en-US',
        features: [],
        roles: [
          {
            id: guildId,
            name: '@everyone',
            permissions: '0',
            position: 0,
            color: 0,
            hoist: false,
            managed: false,
            mentionable: false,
            flags: 0,
          },
        ],
        emojis: [],
        stickers: [],
        channels: [
          {
            id: guildChannel,
            type: 0,
            guild_id: guildId,
            name: 'general',
            position: 0,
            permission_overwrites: [],
          },
        ],
        threads: [],
        members: [],
        presences: [],
        voice_states: [],
        stage_instances: [],
        guild_scheduled_events: [],
        member_count: 2,
        unavailable: false,
      });
    }
    readyResolve();
  }

  function resume(ws: WebSocket, d: { session_id: string; seq: number }) {
    const session = sessions.get(d.session_id);
    if (!session) {
      ws.send(JSON.stringify({ op: 9, d: false }));
      return;
    }
    gateway.resumes += 1;
    session.ws = ws;
    sessionOf.set(ws, session);
    for (const b of session.buffer) if (b.s > d.seq) ws.send(b.frame);
    frame(session, 'RESUMED', null);
    readyResolve();
  }

  const sessionOf = new WeakMap<WebSocket, Session>();
  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 41_250 } }));
    ws.on('message', (raw) => {
      const msg = JSON.parse(String(raw)) as { op: number; d: never };
      if (msg.op === 1) ws.send(JSON.stringify({ op: 11 }));
      else if (msg.op === 2) identify(ws, msg.d);
      else if (msg.op === 6) resume(ws, msg.d);
    });
    ws.on('close', () => {
      sockets.delete(ws);
      const s = sessionOf.get(ws);
      if (s && s.ws === ws) s.ws = undefined;
    });
  });

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;

  const userObj = (u: FakeUser) => ({
    id: u.id,
    username: u.username,
    discriminator: '0',
    global_name: u.username,
    avatar: null,
    bot: false,
  });
  const member = (u: FakeUser) => ({
    user: userObj(u),
    roles: [],
    joined_at: new Date().toISOString(),
    deaf: false,
    mute: false,
    permissions: '0',
    flags: 0,
  });

  /** Registers an interaction and returns the fields every interaction payload shares. */
  function interaction(user: FakeUser, inGuild: boolean, locale: string, source?: FakeMessage) {
    const id = snowflake();
    const token = `tok-${id}-${randomUUID()}`;
    const channelId = source?.channelId ?? (inGuild ? guildChannel : dmChannelOf(user.id));
    const it: Interaction = {
      id,
      token,
      userId: user.id,
      channelId,
      at: Date.now(),
      acked: false,
      ...(source ? { source: source.id } : {}),
    };
    interactions.set(id, it);
    byToken.set(token, it);
    return {
      id,
      application_id: appId,
      token,
      version: 1,
      channel_id: channelId,
      ...(inGuild
        ? {
            guild_id: guildId,
            guild_locale: options.guildLocale ?? 'en-US',
            member: member(user),
            channel: { id: channelId, type: 0, guild_id: guildId, name: 'general' },
          }
        : { user: userObj(user), channel: { id: channelId, type: 1 } }),
      locale,
      app_permissions: '0',
      entitlements: [],
      authorizing_integration_owners: {},
      context: inGuild ? 0 : 1,
    };
  }

  /** The newest live message carrying this custom_id; else one from a recorded call (for old tests). */
  function messageWith(customId: string): FakeMessage | undefined {
    const has = (rows: Row[] | undefined) =>
      rows?.some((r) => r.components?.some((c) => c.custom_id === customId));
    for (const id of [...order].reverse()) {
      const m = store.get(id)!;
      if (!m.deleted && has(m.components)) return m;
    }
    return undefined;
  }

  return {
    apiRoot: `http://127.0.0.1:${port}/api`,
    appId,
    botId,
    guildId,
    calls,
    refused,
    gateway,
    commands,
    rateLimit(pattern, times, retryAfter = 0.2) {
      faults.push({
        pattern,
        times,
        status: 429,
        body: { message: 'You are being rate limited.', retry_after: retryAfter, global: false },
        headers: {
          'retry-after': String(retryAfter),
          'x-ratelimit-limit': '5',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset-after': String(retryAfter),
          'x-ratelimit-bucket': 'fake-bucket',
          'x-ratelimit-scope': 'user',
        },
      });
    },
    fail(pattern, times, error) {
      faults.push({
        pattern,
        times,
        status: error.status,
        body: { code: error.code, message: error.message },
        ...(error.method ? { method: error.method } : {}),
      });
    },
    closeDms(user) {
      closedDms.add(user.id);
    },
    ready: () => readyPromise,
    dm(user, content) {
      const channelId = dmChannelOf(user.id);
      const id = snowflake();
      dispatch(
        'MESSAGE_CREATE',
        {
          id,
          channel_id: channelId,
          channel_type: 1,
          author: userObj(user),
          content,
          timestamp: new Date().toISOString(),
          edited_timestamp: null,
          tts: false,
          mention_everyone: false,
          mentions: [],
          mention_roles: [],
          attachments: [],
          embeds: [],
          components: [],
          pinned: false,
          type: 0,
          flags: 0,
        },
        false,
      );
      return id;
    },
    slash(user, name, opts, locale = 'en-US', where = {}) {
      const base = interaction(user, !where.dm, locale);
      dispatch(
        'INTERACTION_CREATE',
        {
          ...base,
          type: 2,
          data: { id: snowflake(), name, type: 1, options: opts.map((o) => ({ ...o, type: 3 })) },
        },
        !where.dm,
      );
      return base.id;
    },
    press(user, customId, opts = {}) {
      const live = messageWith(customId);
      const inGuild = opts.inGuild ?? (live ? live.channelId === guildChannel : false);
      const ephemeral = opts.ephemeral ?? Boolean(live && live.flags & 64);
      // A button from a message the fake no longer holds: rebuild it from the recorded calls.
      const source =
        live ?? create(inGuild ? guildChannel : dmChannelOf(user.id), { components: [] }, { deleted: true });
      const base = interaction(user, inGuild, opts.locale ?? 'en-US', source);
      const kind = source.components.flatMap((r) => r.components).find((c) => c.custom_id === customId)?.type;
      const values = opts.values ?? [];
      dispatch(
        'INTERACTION_CREATE',
        {
          ...base,
          type: 3,
          message: { ...toApi(source), flags: ephemeral ? source.flags | 64 : source.flags & ~64 },
          data:
            kind === 3 || opts.values
              ? { custom_id: customId, component_type: 3, values }
              : { custom_id: customId, component_type: 2 },
        },
        inGuild,
      );
      return base.id;
    },
    waitFor(pred, timeoutMs = 5000) {
      const found = calls.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = { pred, resolve };
        waiters.push(w);
        setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) {
            waiters.splice(i, 1);
            reject(
              new Error(
                `no matching REST call within ${timeoutMs} ms; calls: ${calls.map((c) => `${c.method} ${c.path}`).join(', ')}`,
              ),
            );
          }
        }, timeoutMs);
      });
    },
    shown() {
      return calls.filter(
        (c) =>
          (c.method === 'POST' && /^\/channels\/\d+\/messages$/.test(c.path)) ||
          (c.method === 'POST' && /^\/webhooks\/\d+\/[^/]+$/.test(c.path)) ||
          (c.method === 'PATCH' && /^\/webhooks\/\d+\/[^/]+\/messages\/@original$/.test(c.path)) ||
          (/\/callback$/.test(c.path) && [4, 7].includes(Number((c.body as { type?: number })?.type))),
      );
    },
    dmScreen(user) {
      const channelId = dmChannels.get(user.id);
      return order.map((id) => store.get(id)!).filter((m) => m.channelId === channelId && !m.deleted);
    },
    messages() {
      return order.map((id) => store.get(id)!);
    },
    dropGateway() {
      for (const ws of sockets) ws.terminate();
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
      readyPromise = new Promise<void>((r) => {
        readyResolve = r;
      });
    },
  };
}
