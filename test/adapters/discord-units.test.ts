/**
 * The Discord adapter's pure parts: rendering within Discord's limits, button data, events to
 * turns, error facts, ordering per person, what is remembered for a quick hide.
 */
import { describe, expect, it } from 'vitest';
import { apiRootOf } from '../../adapters/discord/api-root.ts';
import { decodeCustomId, encodeCustomId } from '../../adapters/discord/custom-id.ts';
import { describeError, routeOf } from '../../adapters/discord/errors.ts';
import { dmInbound, localeOf, slashInbounds } from '../../adapters/discord/inbound.ts';
import { keyedQueue } from '../../adapters/discord/queue.ts';
import { recentMemory, TOKEN_LIFETIME_MS } from '../../adapters/discord/recent.ts';
import { componentsOf, plainText, renderReplies, splitContent } from '../../adapters/discord/render.ts';
import type { ChoiceView } from '../../src/index.ts';
import { invalidMessage } from '../fakes/discord.ts';

const choices = (n: number, label = (i: number) => `Answer ${i}`): ChoiceView[] =>
  Array.from({ length: n }, (_, i) => ({ id: `c${i}`, label: label(i) }));

type Rows = {
  type: number;
  components: { type: number; custom_id: string; label?: string; options?: unknown[] }[];
}[];

describe('rendering within Discord’s limits', () => {
  it('puts five buttons to a row, and the adapter’s own button on a row of its own', () => {
    const rows = componentsOf(choices(7), 's1', [{ id: 'dc:dm', label: 'Continue in DMs' }]) as Rows;
    expect(rows.map((r) => r.components.length)).toEqual([5, 2, 1]);
    expect(rows[2]!.components[0]!.custom_id).toBe('|dc:dm');
    expect(invalidMessage({ content: 'x', components: rows })).toBeUndefined();
  });

  it('uses up to 25 buttons, then select menus of 25 options', () => {
    expect(
      (componentsOf(choices(25), 's') as Rows).every((r) => r.components.every((c) => c.type === 2)),
    ).toBe(true);
    const rows = componentsOf(choices(60), 's', [{ id: 'dc:dm', label: 'DMs' }]) as Rows;
    expect(rows.map((r) => r.components[0]!.type)).toEqual([3, 3, 3, 2]);
    expect(rows.slice(0, 3).map((r) => r.components[0]!.options!.length)).toEqual([25, 25, 10]);
    expect(invalidMessage({ content: 'x', components: rows })).toBeUndefined();
  });

  it('never exceeds five rows, even with far too many choices', () => {
    const rows = componentsOf(choices(500), 's', [{ id: 'dc:dm', label: 'DMs' }]) as Rows;
    expect(rows.length).toBeLessThanOrEqual(5);
    expect(invalidMessage({ content: 'x', components: rows })).toBeUndefined();
  });

  it('shortens labels to 80 characters and keeps custom_ids within 100', () => {
    const rows = componentsOf(
      choices(2, () => 'x'.repeat(120)),
      'stamp12',
    ) as Rows;
    expect(rows[0]!.components.every((c) => [...c.label!].length === 80 && c.label!.endsWith('…'))).toBe(
      true,
    );
    expect(encodeCustomId('a'.repeat(95), 'stamp')).toBeUndefined();
    expect(componentsOf([{ id: 'a'.repeat(95), label: 'too long' }], 'stamp')).toEqual([]);
  });

  it('drops a repeated choice (Discord refuses duplicate custom_ids)', () => {
    const rows = componentsOf([...choices(2), ...choices(2)], 's') as Rows;
    expect(rows[0]!.components).toHaveLength(2);
  });

  it('joins replies into one message until one carries buttons', () => {
    const out = renderReplies([
      { text: 'Hello.' },
      { text: 'Which one?', choices: choices(2), stamp: 's' },
      { text: 'After.' },
    ]);
    expect(out.map((p) => p.content)).toEqual(['Hello.\n\nWhich one?', 'After.']);
    expect(out[0]!.components).toHaveLength(1);
  });

  it('puts the adapter’s button on the last message, even one without choices', () => {
    const out = renderReplies([{ text: 'What to do now: stop.' }], [{ id: 'dc:dm', label: 'DMs' }]);
    expect(out).toHaveLength(1);
    expect(decodeCustomId((out[0]!.components as Rows)[0]!.components[0]!.custom_id)).toEqual({
      choice: 'dc:dm',
    });
  });

  it('splits long text into parts of at most 2000 characters, at line or word boundaries', () => {
    const text = Array.from({ length: 300 }, (_, i) => `Line ${i} of a long message.`).join('\n');
    const parts = splitContent(text);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.every((p) => p.length <= 2000)).toBe(true);
    expect(parts.join('\n')).toBe(text);
    // Never inside a surrogate pair or an escape.
    const emoji = splitContent('🛡️'.repeat(1500));
    expect(emoji.every((p) => !/[\ud800-\udbff]$/.test(p))).toBe(true);
    const escaped = splitContent(`${'a'.repeat(1999)}\\*b`);
    expect(escaped[0]!.endsWith('\\')).toBe(false);
  });

  it('shows text as typed: markdown escaped, links left working', () => {
    expect(plainText('**free** money_now ~~x~~ `code` ||spoiler||')).toBe(
      '\\*\\*free\\*\\* money\\_now \\~\\~x\\~\\~ \\`code\\` \\|\\|spoiler\\|\\|',
    );
    expect(plainText('[your bank](https://evil.example/login)')).toBe(
      '\\[your bank\\](https://evil.example/login)',
    );
    expect(plainText('# big\n> quote')).toBe('\\# big\n\\> quote');
    expect(plainText('see https://www.gov.cn/xinwen/2018-06/07/content_5296780.htm now')).toBe(
      'see https://www.gov.cn/xinwen/2018-06/07/content_5296780.htm now',
    );
    expect(plainText('<@123> hi')).toBe('\\<@123> hi');
  });
});

describe('button data', () => {
  it('carries the stamp and the choice, and reads back', () => {
    const id = encodeCustomId('paid_fee', 'k3x9-2')!;
    expect(id).toBe('k3x9-2|paid_fee');
    expect(decodeCustomId(id)).toEqual({ stamp: 'k3x9-2', choice: 'paid_fee' });
    expect(decodeCustomId('|_lang:zh-CN')).toEqual({ choice: '_lang:zh-CN' });
    expect(decodeCustomId('no-separator')).toBeUndefined();
    expect(decodeCustomId('stamp|')).toBeUndefined();
  });
});

describe('events to turns', () => {
  it('maps a DM to a command or words, under one key per Discord user', () => {
    expect(dmInbound({ userId: '42', id: 'm1', content: '/start job-offer' })).toEqual({
      user: 'dc:42',
      channel: 'discord',
      id: 'm1',
      kind: 'command',
      command: 'start',
      flow: 'job-offer',
    });
    expect(dmInbound({ userId: '42', content: '/language zh-CN' })).toMatchObject({
      kind: 'command',
      command: 'language',
      arg: 'zh-CN',
    });
    expect(dmInbound({ userId: '42', content: 'I got a job offer' })).toMatchObject({
      kind: 'text',
      text: 'I got a job offer',
    });
    // A start with something that is no flow id is just a start.
    expect(dmInbound({ userId: '42', content: '/start ../../etc' })).not.toHaveProperty('flow');
  });

  it('maps /safestep: a topic opens a flow, text is checked, both do both, neither shows where we are', () => {
    const base = { userId: '7', id: 'i1', locale: 'zh-CN' };
    expect(slashInbounds({ ...base, topic: 'job-offer' })).toEqual([
      {
        user: 'dc:7',
        channel: 'discord',
        id: 'i1',
        locale: 'zh-CN',
        kind: 'command',
        command: 'start',
        flow: 'job-offer',
      },
    ]);
    expect(slashInbounds({ ...base, text: 'pay a fee' })).toEqual([
      {
        user: 'dc:7',
        channel: 'discord',
        id: 'i1',
        locale: 'zh-CN',
        kind: 'text',
        text: 'pay a fee',
        forwarded: true,
      },
    ]);
    const both = slashInbounds({ ...base, topic: 'job-offer', text: 'pay a fee' });
    expect(both.map((t) => [t.kind, t.id])).toEqual([
      ['command', 'i1'],
      ['text', 'i1:text'],
    ]);
    expect(slashInbounds({ ...base, topic: null, text: '  ' })).toEqual([
      { user: 'dc:7', channel: 'discord', locale: 'zh-CN', kind: 'choice', choice: '_more' },
    ]);
  });

  it('takes the person’s Discord language, else the server’s', () => {
    expect(localeOf({ locale: 'zh-CN', guildLocale: 'en-US' })).toBe('zh-CN');
    expect(localeOf({ locale: '', guildLocale: 'zh-CN' })).toBe('zh-CN');
    expect(localeOf({ guildLocale: null })).toBeUndefined();
  });
});

describe('the REST root', () => {
  it('is the same with or without a trailing slash, and absent when blank', () => {
    expect(apiRootOf('http://127.0.0.1:8080/api/')).toBe('http://127.0.0.1:8080/api');
    expect(apiRootOf(' http://127.0.0.1:8080/api ')).toBe('http://127.0.0.1:8080/api');
    expect(apiRootOf('  ')).toBeUndefined();
    expect(apiRootOf(undefined)).toBeUndefined();
  });
});

describe('error facts', () => {
  it('names the route without the interaction token, and never the request body', () => {
    const err = Object.assign(new Error('Unknown Message\nmore'), {
      name: 'DiscordAPIError[10008]',
      code: 10008,
      status: 404,
      method: 'patch',
      url: 'http://127.0.0.1:1/api/v10/webhooks/123/aW50ZXJhY3Rpb24tdG9rZW4/messages/%40original',
      requestBody: { json: { content: 'my secret text' } },
    });
    const facts = describeError(err);
    expect(facts).toEqual({
      name: 'DiscordAPIError[10008]',
      message: 'Unknown Message',
      code: 10008,
      status: 404,
      method: 'PATCH',
      route: '/webhooks/123/:token/messages/@original',
    });
    expect(routeOf('https://discord.com/api/v10/interactions/1/secret/callback')).toBe(
      '/interactions/1/:token/callback',
    );
    expect(describeError('plain')).toEqual({ name: 'Error', message: 'plain' });
  });
});

describe('ordering per person', () => {
  it('runs one person’s jobs in order, other people’s alongside', async () => {
    const q = keyedQueue();
    const log: string[] = [];
    const job = (name: string, ms: number) => () =>
      new Promise<void>((r) =>
        setTimeout(() => {
          log.push(name);
          r();
        }, ms),
      );
    const done = [q.run('a', job('a1', 30)), q.run('a', job('a2', 1)), q.run('b', job('b1', 1))];
    await Promise.all(done);
    expect(log.indexOf('a1')).toBeLessThan(log.indexOf('a2'));
    expect(log.indexOf('b1')).toBeLessThan(log.indexOf('a1'));
    // A failing job does not stop the next one.
    const after: string[] = [];
    await q.run('a', () => Promise.reject(new Error('x'))).catch(() => undefined);
    await q.run('a', async () => {
      after.push('ran');
    });
    expect(after).toEqual(['ran']);
    await q.idle();
  });
});

describe('what is remembered for a quick hide', () => {
  it('keeps the last 30 messages per person, newest first, and drops expired interaction tokens', () => {
    const r = recentMemory();
    for (let i = 0; i < 35; i++) r.sent('u', { kind: 'channel', channelId: 'c', id: String(i) });
    const taken = r.take('u');
    expect(taken).toHaveLength(30);
    expect(taken[0]).toMatchObject({ id: '34' });
    expect(r.take('u')).toEqual([]);
    r.sent('u', { kind: 'webhook', token: 't', id: '@original', at: 0 });
    r.sent('u', { kind: 'webhook', token: 't2', id: '@original', at: TOKEN_LIFETIME_MS });
    expect(r.take('u', TOKEN_LIFETIME_MS + 1).map((m) => (m.kind === 'webhook' ? m.token : ''))).toEqual([
      't2',
    ]);
    r.sent('u', { kind: 'channel', channelId: 'c', id: '1' });
    r.forget('u');
    expect(r.take('u')).toEqual([]);
  });
});
