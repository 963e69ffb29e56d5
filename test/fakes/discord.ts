/**
 * A local fake of Discord for tests: the REST API under http://127.0.0.1:PORT/api and a gateway
 * over WebSocket, speaking enough of both for the real discord.js client. It records every REST
 * call the bot makes, lets a test inject direct messages, slash commands and button presses,
 * and can answer 429 for the next calls of a route.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

export interface RestCall {
  method: string;
  path: string;
  body: Record<string, unknown> | undefined;
}

export interface FakeUser {
  id: string;
  username: string;
}

export interface FakeDiscord {
  apiRoot: string;
  appId: string;
  botId: string;
  guildId: string;
  calls: RestCall[];
  /** Answer 429 (with Retry-After) for the next `times` calls whose path matches. */
  rateLimit(pathPattern: RegExp, times: number, retryAfterSeconds?: number): void;
  /** Resolves when the bot has identified and received READY. */
  ready(): Promise<void>;
  dm(user: FakeUser, content: string): string;
  slash(user: FakeUser, name: string, options: { name: string; value: string }[], locale?: string): string;
  /** Presses a button on a message the bot sent (found by custom_id in recorded calls). */
  press(
    user: FakeUser,
    customId: string,
    opts?: { inGuild?: boolean; ephemeral?: boolean; locale?: string },
  ): string;
  /** Waits until a recorded call satisfies the predicate; returns it. */
  waitFor(pred: (c: RestCall) => boolean, timeoutMs?: number): Promise<RestCall>;
  /** Messages the bot showed to a user: DMs, interaction replies and follow-ups, in order. */
  shown(): RestCall[];
  close(): Promise<void>;
}

const snowflake = (() => {
  let n = 1_100_000_000_000_000_000n;
  return () => String(++n);
})();

export async function startFakeDiscord(): Promise<FakeDiscord> {
  const appId = snowflake();
  const botId = appId;
  const guildId = snowflake();
  const calls: RestCall[] = [];
  const limits: { pattern: RegExp; times: number; retryAfter: number }[] = [];
  const sockets = new Set<WebSocket>();
  let seq = 0;
  let readyResolve: () => void = () => {};
  let readyPromise = new Promise<void>((r) => {
    readyResolve = r;
  });
  const waiters: { pred: (c: RestCall) => boolean; resolve: (c: RestCall) => void }[] = [];
  const dmChannels = new Map<string, string>();

  const record = (call: RestCall) => {
    calls.push(call);
    for (const w of [...waiters]) {
      if (w.pred(call)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(call);
      }
    }
  };

  const message = (channelId: string, body: Record<string, unknown> | undefined) => ({
    id: snowflake(),
    channel_id: channelId,
    author: {
      id: botId,
      username: 'SafeStep',
      discriminator: '0',
      bot: true,
      avatar: null,
      global_name: null,
    },
    content: body?.content ?? '',
    components: body?.components ?? [],
    embeds: body?.embeds ?? [],
    attachments: [],
    mentions: [],
    mention_roles: [],
    mention_everyone: false,
    pinned: false,
    tts: false,
    type: 0,
    flags: body?.flags ?? 0,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
  });

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
    const path = decodeURIComponent(url.pathname.replace(/^\/api\/v\d+/, ''));
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    const limit = limits.find((l) => l.times > 0 && l.pattern.test(path));
    if (limit) {
      limit.times--;
      send(
        res,
        429,
        { message: 'You are being rate limited.', retry_after: limit.retryAfter, global: false },
        { 'retry-after': String(limit.retryAfter), 'x-ratelimit-scope': 'user' },
      );
      return;
    }
    const call = { method, path, body };
    if (method === 'GET' && path === '/gateway/bot') {
      const port = (server.address() as AddressInfo).port;
      return send(res, 200, {
        url: `ws://127.0.0.1:${port}`,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
      });
    }
    record(call);
    if (method === 'POST' && path === '/users/@me/channels') {
      const recipient = String(body?.recipient_id);
      const id = dmChannels.get(recipient) ?? snowflake();
      dmChannels.set(recipient, id);
      return send(res, 200, {
        id,
        type: 1,
        recipients: [{ id: recipient, username: 'user', discriminator: '0' }],
      });
    }
    const post = /^\/channels\/(\d+)\/messages$/.exec(path);
    if (post && method === 'POST') return send(res, 200, message(post[1]!, body));
    const one = /^\/channels\/(\d+)\/messages\/(\d+)$/.exec(path);
    if (one) {
      if (method === 'DELETE') return send(res, 204);
      return send(res, 200, { ...message(one[1]!, body), id: one[2] });
    }
    if (/^\/interactions\/\d+\/[^/]+\/callback$/.test(path)) return send(res, 204);
    if (/^\/webhooks\/\d+\/[^/]+(\/messages\/.+)?$/.test(path)) {
      if (method === 'DELETE') return send(res, 204);
      return send(res, 200, message(snowflake(), body));
    }
    if (/^\/applications\/\d+(\/guilds\/\d+)?\/commands$/.test(path) && method === 'PUT') {
      const list = Array.isArray(body) ? body : [];
      return send(
        res,
        200,
        list.map((c: Record<string, unknown>) => ({
          id: snowflake(),
          application_id: appId,
          version: '1',
          ...c,
        })),
      );
    }
    if (path === '/users/@me')
      return send(res, 200, { id: botId, username: 'SafeStep', discriminator: '0', bot: true });
    send(res, 404, { message: 'Unknown route', code: 0 });
  }

  function dispatch(t: string, d: unknown) {
    const frame = JSON.stringify({ op: 0, t, s: ++seq, d });
    for (const ws of sockets) ws.send(frame);
  }

  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 41_250 } }));
    ws.on('message', (raw) => {
      const msg = JSON.parse(String(raw)) as { op: number; d: unknown };
      if (msg.op === 1) ws.send(JSON.stringify({ op: 11 }));
      if (msg.op === 2 || msg.op === 6) {
        const port = (server.address() as AddressInfo).port;
        ws.send(
          JSON.stringify({
            op: 0,
            t: 'READY',
            s: ++seq,
            d: {
              v: 10,
              user: {
                id: botId,
                username: 'SafeStep',
                discriminator: '0',
                bot: true,
                avatar: null,
                global_name: null,
              },
              guilds: [{ id: guildId, unavailable: true }],
              session_id: randomUUID(),
              resume_gateway_url: `ws://127.0.0.1:${port}`,
              application: { id: appId, flags: 0 },
            },
          }),
        );
        dispatch('GUILD_CREATE', {
          id: guildId,
          name: 'Student Association',
          icon: null,
          owner_id: snowflake(),
          preferred_locale: 'en-US',
          features: [],
          roles: [],
          emojis: [],
          stickers: [],
          channels: [],
          threads: [],
          members: [],
          presences: [],
          voice_states: [],
          stage_instances: [],
          guild_scheduled_events: [],
          member_count: 2,
          unavailable: false,
        });
        readyResolve();
      }
    });
    ws.on('close', () => sockets.delete(ws));
  });

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const sentWith = (customId: string): Record<string, unknown> => {
    for (const c of [...calls].reverse()) {
      const b = (c.body ?? {}) as { data?: Record<string, unknown> } & Record<string, unknown>;
      const payload = (b.data ?? b) as {
        content?: string;
        components?: { components: { custom_id?: string }[] }[];
      };
      if (payload.components?.some((r) => r.components?.some((x) => x.custom_id === customId))) {
        return { content: payload.content ?? '', components: payload.components };
      }
    }
    return { content: '…' };
  };
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

  return {
    apiRoot: `http://127.0.0.1:${port}/api`,
    appId,
    botId,
    guildId,
    calls,
    rateLimit(pattern, times, retryAfter = 0.2) {
      limits.push({ pattern, times, retryAfter });
    },
    ready: () => readyPromise,
    dm(user, content) {
      const channelId = dmChannels.get(user.id) ?? snowflake();
      dmChannels.set(user.id, channelId);
      const id = snowflake();
      dispatch('MESSAGE_CREATE', {
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
        pinned: false,
        type: 0,
        flags: 0,
      });
      return id;
    },
    slash(user, name, options, locale = 'en-US') {
      const id = snowflake();
      dispatch('INTERACTION_CREATE', {
        id,
        application_id: appId,
        type: 2,
        token: `tok-${id}`,
        version: 1,
        guild_id: guildId,
        guild_locale: 'en-US',
        channel_id: snowflake(),
        channel: { id: snowflake(), type: 0, guild_id: guildId, name: 'general' },
        member: member(user),
        locale,
        app_permissions: '0',
        entitlements: [],
        authorizing_integration_owners: {},
        context: 0,
        data: { id: snowflake(), name, type: 1, options: options.map((o) => ({ ...o, type: 3 })) },
      });
      return id;
    },
    press(user, customId, opts = {}) {
      const id = snowflake();
      const channelId = opts.inGuild ? snowflake() : (dmChannels.get(user.id) ?? snowflake());
      dispatch('INTERACTION_CREATE', {
        id,
        application_id: appId,
        type: 3,
        token: `tok-${id}`,
        version: 1,
        channel_id: channelId,
        ...(opts.inGuild
          ? {
              guild_id: guildId,
              member: member(user),
              channel: { id: channelId, type: 0, guild_id: guildId, name: 'general' },
            }
          : { user: userObj(user), channel: { id: channelId, type: 1 } }),
        locale: opts.locale ?? 'en-US',
        app_permissions: '0',
        entitlements: [],
        authorizing_integration_owners: {},
        context: opts.inGuild ? 0 : 1,
        // The message the button is on, as the bot sent it (content and components).
        message: message(channelId, { ...sentWith(customId), flags: opts.ephemeral ? 64 : 0 }),
        data: { custom_id: customId, component_type: 2 },
      });
      return id;
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
          (c.method === 'POST' && /^\/webhooks\//.test(c.path)) ||
          (/\/callback$/.test(c.path) && [4, 7].includes(Number((c.body as { type?: number })?.type))),
      );
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
