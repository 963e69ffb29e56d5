/**
 * The Telegram adapter's pure parts: what an update means, how replies become messages, how long
 * texts are cut, what callback data carries, how fast the queue may go, what an error means.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RollingLimit, TokenBucket } from '../../adapters/telegram/bucket.ts';
import { decodeCallback, encodeCallback } from '../../adapters/telegram/callback-data.ts';
import { classify } from '../../adapters/telegram/errors.ts';
import { columns, renderReplies } from '../../adapters/telegram/render.ts';
import { SendQueue } from '../../adapters/telegram/sender.ts';
import { splitText } from '../../adapters/telegram/split.ts';
import { planUpdate, type TgUpdate } from '../../adapters/telegram/update.ts';
import { MENU, telegramLocale } from '../../adapters/telegram/words.ts';
import { COMMANDS, createLogger } from '../../src/index.ts';

const me = { id: 777, username: 'SafeStepBot' };
const amy = { id: 42, is_bot: false, first_name: 'Amy', language_code: 'zh-hans' };
const privateChat = { id: 42, type: 'private' };
const group = { id: -100123, type: 'supergroup', title: 'Neighbours' };

function message(text: string, extra: Record<string, unknown> = {}, chat = privateChat): TgUpdate {
  return { update_id: 9, message: { message_id: 5, date: 1, chat, from: amy, text, ...extra } };
}

describe('updates → what the adapter does', () => {
  it('a private text becomes a text turn keyed by chat, with the update id and the language hint', () => {
    expect(planUpdate(message('they offered me a job'), me)).toEqual({
      kind: 'turn',
      chatId: 42,
      incomingId: 5,
      inbound: {
        kind: 'text',
        text: 'they offered me a job',
        user: 'tg:42',
        channel: 'telegram',
        id: '9',
        locale: 'zh-hans',
      },
    });
  });

  it('a deep link /start job-offer opens that flow; a bad payload is dropped', () => {
    const plan = planUpdate(message('/start job-offer'), me);
    expect(plan.kind === 'turn' && plan.inbound).toMatchObject({
      kind: 'command',
      command: 'start',
      flow: 'job-offer',
    });
    const odd = planUpdate(message('/start ../etc passwd'), me);
    expect(odd.kind === 'turn' && odd.inbound).toEqual(
      expect.not.objectContaining({ flow: expect.anything() }),
    );
    const bare = planUpdate(message('/start@SafeStepBot'), me);
    expect(bare.kind === 'turn' && bare.inbound).toMatchObject({ kind: 'command', command: 'start' });
  });

  it('commands carry their argument; unknown commands go to the engine as text', () => {
    const lang = planUpdate(message('/language zh-CN'), me);
    expect(lang.kind === 'turn' && lang.inbound).toMatchObject({
      kind: 'command',
      command: 'language',
      arg: 'zh-CN',
    });
    const unknown = planUpdate(message('/weather'), me);
    expect(unknown.kind === 'turn' && unknown.inbound).toMatchObject({ kind: 'text', text: '/weather' });
  });

  it('a forwarded message is a text to check, even when it looks like a command', () => {
    for (const extra of [{ forward_origin: { type: 'hidden_user' } }, { forward_date: 1 }]) {
      const plan = planUpdate(message('/start pay the fee now', extra), me);
      expect(plan.kind === 'turn' && plan.inbound).toMatchObject({
        kind: 'text',
        text: '/start pay the fee now',
        forwarded: true,
      });
    }
  });

  it('a photo with a caption is read by its caption; a sticker is an empty text the engine re-asks', () => {
    const photo: TgUpdate = {
      update_id: 1,
      message: { message_id: 2, chat: privateChat, from: amy, caption: 'is this real?' },
    };
    expect(planUpdate(photo, me)).toMatchObject({
      kind: 'turn',
      inbound: { kind: 'text', text: 'is this real?' },
    });
    const sticker: TgUpdate = { update_id: 1, message: { message_id: 2, chat: privateChat, from: amy } };
    expect(planUpdate(sticker, me)).toMatchObject({ kind: 'turn', inbound: { kind: 'text', text: '' } });
  });

  it('a button press becomes a choice with its stamp; data this bot never made is passed as foreign', () => {
    const press = (data: string): TgUpdate => ({
      update_id: 3,
      callback_query: {
        id: 'q1',
        from: amy,
        data,
        message: { message_id: 8, chat: privateChat, text: 'Abroad?' },
      },
    });
    expect(planUpdate(press('zd1i1|abroad'), me)).toMatchObject({
      kind: 'turn',
      inbound: { kind: 'choice', choice: 'abroad', stamp: 'zd1i1' },
      press: { queryId: 'q1', messageId: 8, data: 'zd1i1|abroad' },
    });
    expect(planUpdate(press('_region:UK'), me)).toMatchObject({ inbound: { kind: 'choice', stamp: '?' } });
  });

  it('buttons in a group or without data are only answered', () => {
    const inGroup: TgUpdate = {
      update_id: 3,
      callback_query: { id: 'q2', from: amy, data: 'a|b', message: { message_id: 1, chat: group } },
    };
    expect(planUpdate(inGroup, me)).toEqual({ kind: 'answer-only', queryId: 'q2' });
    const game: TgUpdate = { update_id: 3, callback_query: { id: 'q3', from: amy } };
    expect(planUpdate(game, me)).toEqual({ kind: 'answer-only', queryId: 'q3' });
  });

  it('in a group only our commands, mentions and replies to us are answered, never as a case', () => {
    const g = (text: string, extra = {}) => planUpdate(message(text, extra, group), me);
    expect(g('my boss wants me to pay a fee')).toEqual({ kind: 'ignore' });
    expect(g('/help')).toMatchObject({ kind: 'group', chatId: -100123, replyTo: 5, languageCode: 'zh-hans' });
    expect(g('/start@SafeStepBot job-offer')).toMatchObject({ kind: 'group', startPayload: 'job-offer' });
    expect(g('/help@OtherBot')).toEqual({ kind: 'ignore' });
    expect(g('/weather')).toEqual({ kind: 'ignore' });
    expect(g('hey @safestepbot is this a scam?')).toMatchObject({ kind: 'group' });
    expect(g('email me at x@SafeStepBotter.com')).toEqual({ kind: 'ignore' });
    expect(
      g('thanks', { reply_to_message: { message_id: 1, chat: group, from: { id: 777 } } }),
    ).toMatchObject({
      kind: 'group',
    });
  });

  it('reads a chat without a type by its id, as Telegram numbers them', () => {
    const untyped = (id: number): TgUpdate => ({
      update_id: 1,
      message: { message_id: 2, chat: { id }, from: amy, text: 'hi' },
    });
    expect(planUpdate(untyped(42), me)).toMatchObject({ kind: 'turn', chatId: 42 });
    expect(planUpdate(untyped(-100), me)).toEqual({ kind: 'ignore' });
  });

  it('channels, bots and other updates are ignored', () => {
    expect(planUpdate(message('hi', {}, { id: -5, type: 'channel' }), me)).toEqual({ kind: 'ignore' });
    expect(planUpdate(message('hi', { from: { id: 1, is_bot: true } }), me)).toEqual({ kind: 'ignore' });
    expect(planUpdate({ update_id: 1 }, me)).toEqual({ kind: 'ignore' });
  });
});

describe('callback data', () => {
  it('carries stamp and choice within 64 bytes and comes back the same', () => {
    const data = encodeCallback('a'.repeat(40), 'Zz09_-abcdef');
    expect(data).toBeDefined();
    expect(Buffer.byteLength(data!, 'utf8')).toBeLessThanOrEqual(64);
    expect(decodeCallback(data)).toEqual({ choice: 'a'.repeat(40), stamp: 'Zz09_-abcdef' });
    expect(decodeCallback(encodeCallback('_region:CN-ABROAD', 'abcd1'))).toEqual({
      choice: '_region:CN-ABROAD',
      stamp: 'abcd1',
    });
    expect(decodeCallback(encodeCallback('home'))).toEqual({ choice: 'home' });
  });

  it('refuses what does not fit or was not made here', () => {
    expect(encodeCallback('x'.repeat(64), 'stamp')).toBeUndefined();
    expect(decodeCallback('no-bar')).toBeUndefined();
    expect(decodeCallback('stamp|')).toBeUndefined();
    expect(decodeCallback('bad stamp!|x')).toBeUndefined();
  });
});

describe('replies → messages', () => {
  it('joins replies until one with buttons, which go on that message', () => {
    const out = renderReplies([
      { text: 'Welcome.' },
      { text: 'Abroad?', choices: [{ id: 'abroad', label: 'Abroad' }], stamp: 's1' },
      { text: 'Noted.' },
    ]);
    expect(out).toEqual([
      { text: 'Welcome.\n\nAbroad?', keyboard: [[{ text: 'Abroad', callback_data: 's1|abroad' }]] },
      { text: 'Noted.' },
    ]);
  });

  it('a long reply is split under 4096 characters with the buttons on the last part', () => {
    const para = `${'word '.repeat(300).trim()}.`;
    const long = Array.from({ length: 12 }, () => para).join('\n\n');
    const out = renderReplies([{ text: long, choices: [{ id: 'ok', label: 'OK' }], stamp: 's' }]);
    expect(out.length).toBeGreaterThan(1);
    for (const m of out) expect(m.text.length).toBeLessThanOrEqual(4096);
    expect(out.slice(0, -1).every((m) => m.keyboard === undefined)).toBe(true);
    expect(out.at(-1)?.keyboard).toBeDefined();
    expect(out.map((m) => m.text).join('\n\n')).toBe(long);
  });

  it('text is sent as written: no parse mode, so markup characters stay literal', () => {
    const text = '<b>not bold</b> *nor* _this_ [link](http://x) & 1 < 2';
    expect(renderReplies([{ text }])).toEqual([{ text }]);
  });

  it('many short labels share rows; sentences get a row each', () => {
    expect(columns(['Yes', 'No'])).toBe(1);
    expect(columns(['UK', 'US', 'China', 'Taiwan', 'Hong Kong', 'Other'])).toBe(3);
    expect(
      columns(['United Kingdom', 'United States', 'Mainland China', 'Singapore', 'Somewhere else']),
    ).toBe(2);
    expect(columns(Array.from({ length: 6 }, (_, i) => `A long answer in a sentence ${i}`))).toBe(1);
    const out = renderReplies([
      { text: 'Where?', choices: ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, label: id })), stamp: 's' },
    ]);
    expect(out[0]?.keyboard?.map((r) => r.length)).toEqual([3, 2]);
  });

  it('labels are measured in characters as a person counts them (an emoji is one)', () => {
    // Nine characters each (flags are pairs of letters), eighteen UTF-16 units: three to a row.
    const emoji = Array.from({ length: 5 }, () => '🇬🇧🇺🇸🇨🇳🇹🇼🇭');
    expect(columns(emoji)).toBe(3);
    expect(columns(Array.from({ length: 5 }, () => '🙂'.repeat(11)))).toBe(2);
    // A lone surrogate still counts as one.
    expect(columns(Array.from({ length: 5 }, () => `${'\ud83d'}${'x'.repeat(18)}`))).toBe(1);
  });

  it('a prompt with few answers gets one per row, each with its own stamped callback data', () => {
    const out = renderReplies([
      { text: 'Paid?', choices: ['yes', 'no'].map((id) => ({ id, label: id })), stamp: 'abcd1' },
    ]);
    expect(out[0]?.keyboard).toEqual([
      [{ text: 'yes', callback_data: 'abcd1|yes' }],
      [{ text: 'no', callback_data: 'abcd1|no' }],
    ]);
  });
});

describe('callback data length', () => {
  it('counts UTF-8 bytes when the text could be too long, whatever its length in code units', () => {
    // 21 units of 3 bytes = 63 bytes: fits; 22 units = 66 bytes: left out.
    expect(encodeCallback('中'.repeat(20), '')).toBe(`|${'中'.repeat(20)}`);
    expect(encodeCallback('中'.repeat(22), '')).toBeUndefined();
    expect(encodeCallback('a'.repeat(63), '')).toBe(`|${'a'.repeat(63)}`);
    expect(encodeCallback('a'.repeat(64), '')).toBeUndefined();
  });
});

describe('splitting', () => {
  it('keeps short text whole and cuts long text at a paragraph, then a line, then a space', () => {
    expect(splitText('hello')).toEqual(['hello']);
    expect(splitText('aaaa\n\nbbbb', 8)).toEqual(['aaaa', 'bbbb']);
    expect(splitText('aaaa bbbb cccc', 10)).toEqual(['aaaa bbbb', 'cccc']);
    expect(splitText('aaaa\nbbbb cccc', 10)).toEqual(['aaaa', 'bbbb cccc']);
  });

  it('never cuts a surrogate pair, even with no space to cut at', () => {
    const text = `a${'😀'.repeat(3000)}`;
    const parts = splitText(text);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(4096);
      // No lone surrogate at either end of a part.
      expect(p).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
    }
    expect(parts.join('')).toBe(text);
  });

  it('gives nothing for empty text', () => {
    expect(splitText('  \n ')).toEqual([]);
  });
});

describe('limits and errors', () => {
  it('a token bucket allows a burst, then one call per refill interval', () => {
    let t = 0;
    const bucket = new TokenBucket(3, 1, () => t);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([0, 0, 0]);
    expect(bucket.take()).toBe(1000);
    t = 500;
    expect(bucket.take()).toBe(500);
    t = 1000;
    expect(bucket.take()).toBe(0);
    expect(bucket.take()).toBeGreaterThan(0);
  });

  it('the bot-wide limit: 30 calls in any rolling second, counted from their answers, never a burst', () => {
    let t = 0;
    const limit = new RollingLimit(30, () => t);
    const left: number[] = [];
    for (let i = 0; i < 90; i++) {
      t += limit.wait();
      expect(limit.wait()).toBe(0);
      const slot = limit.take();
      left.push(t);
      // Answered 5 ms later: Telegram counted it somewhere in between.
      t += 5;
      limit.done(slot);
    }
    for (let i = 30; i < left.length; i++) expect(left[i]! - left[i - 30]!).toBeGreaterThanOrEqual(1005);
    for (let i = 1; i < left.length; i++) expect(left[i]! - left[i - 1]!).toBeGreaterThanOrEqual(30);
    // Still about 30 a second: the 90th call leaves in the third second.
    expect(left.at(-1)).toBeLessThan(3000);

    // A second does not start before its first call is answered.
    const one = new RollingLimit(1, () => t);
    one.take();
    expect(one.wait()).toBe(Number.POSITIVE_INFINITY);
  });

  it('429 waits retry_after; 5xx and network retry; 403 drops the chat; 400 gives up', () => {
    expect(classify({ code: 429, parameters: { retry_after: 7 } })).toEqual({
      kind: 'retry-after',
      ms: 7000,
    });
    expect(classify({ code: 502 })).toEqual({ kind: 'transient' });
    expect(classify({ name: 'FetchError', code: 'ECONNRESET' })).toEqual({ kind: 'transient' });
    expect(classify({ code: 403, description: 'Forbidden: bot was blocked by the user' })).toEqual({
      kind: 'unreachable',
    });
    expect(classify({ code: 400, description: 'Bad Request: message is not modified' })).toMatchObject({
      kind: 'permanent',
      notModified: true,
    });
    expect(classify({ code: 404, description: 'Not Found' })).toMatchObject({ unknownMethod: true });
  });
});

describe('the command menu', () => {
  it('lists only commands the engine knows, each described in English and Chinese', () => {
    for (const c of MENU) {
      expect(COMMANDS).toContain(c.command);
      for (const d of Object.values(c.description)) expect(d.length).toBeGreaterThanOrEqual(3);
    }
    for (const c of ['start', 'help', 'back', 'restart', 'language', 'emergency', 'forget', 'hide']) {
      expect(MENU.map((m) => m.command)).toContain(c);
    }
  });

  it('reads Telegram language codes', () => {
    expect(telegramLocale('zh-hans')).toBe('zh-CN');
    expect(telegramLocale('zh-TW')).toBe('zh-CN');
    expect(telegramLocale('en-GB')).toBe('en');
    expect(telegramLocale(undefined)).toBe('en');
  });
});

describe('the send queue', () => {
  it('keeps each chat in order, spaces a chat past its burst, and does not hold other chats back', async () => {
    const calls: { chat: unknown; n: unknown; at: number }[] = [];
    const queue = new SendQueue({
      call: async (_m, p) => {
        calls.push({ chat: p.chat_id, n: p.n, at: Date.now() });
        return true;
      },
      logger: createLogger({ destination: new Writable({ write: (_c, _e, done) => done() }) }),
      limits: { perSecond: 1000, privatePerSecond: 10, chatBurst: 2 },
    });
    const job = (chat: number, n: number) => ({
      counts: true,
      build: () => ({ method: 'sendMessage', payload: { chat_id: chat, n } }),
    });
    const a = queue.enqueue(
      { id: 1, group: false },
      [1, 2, 3, 4, 5].map((n) => job(1, n)),
    );
    const b = queue.enqueue({ id: 2, group: false }, [job(2, 1)]);
    expect(queue.depth()).toBe(6);
    await Promise.all([a, b]);
    expect(queue.depth()).toBe(0);

    const ofA = calls.filter((c) => c.chat === 1);
    expect(ofA.map((c) => c.n)).toEqual([1, 2, 3, 4, 5]);
    // Two at once, then no faster than 10 a second: k calls never within less than (k - 2) × 100 ms
    // (a late timer may let two go close together again, as an idle chat's burst would).
    for (let i = 0; i < ofA.length; i++) {
      for (let j = i + 2; j < ofA.length; j++) {
        expect(ofA[j]!.at - ofA[i]!.at).toBeGreaterThanOrEqual((j - i - 1) * 100 - 5);
      }
    }
    expect(calls.findIndex((c) => c.chat === 2)).toBeLessThan(
      calls.findIndex((c) => c.chat === 1 && c.n === 3),
    );
  });

  it('after a 429 nothing goes until retry_after; then button answers, the refused call, first messages, the rest', async () => {
    const sent: string[] = [];
    let refused: () => void = () => undefined;
    const limited = new Promise<void>((resolve) => {
      refused = resolve;
    });
    const queue = new SendQueue({
      call: async (method, p) => {
        sent.push(`${p.chat_id}:${method === 'sendMessage' ? p.n : method}`);
        if (sent.length === 1) {
          refused();
          throw { code: 429, parameters: { retry_after: 1 } };
        }
        return true;
      },
      logger: createLogger({ destination: new Writable({ write: (_c, _e, done) => done() }) }),
      // Slow enough that each call is answered before the next may go: the order is the queue's alone.
      limits: { perSecond: 10, privatePerSecond: 1000, chatBurst: 1000 },
    });
    const message = (chat: number, n: number) => ({
      counts: true,
      build: () => ({ method: 'sendMessage', payload: { chat_id: chat, n } }),
    });
    const edit = (chat: number) => ({
      build: () => ({ method: 'editMessageReplyMarkup', payload: { chat_id: chat } }),
    });
    const first = queue.enqueue({ id: 9, group: false }, [message(9, 1)]);
    await limited;
    // Queued while the whole bot waits out the 429: the order is up to the queue alone.
    const rest = [
      queue.enqueue({ id: 1, group: false }, [message(1, 1), message(1, 2), message(1, 3)]),
      // An edit before a chat's first message keeps that chat's place in line.
      queue.enqueue({ id: 2, group: false }, [edit(2), message(2, 1)]),
      queue.enqueue({ id: 3, group: false }, [message(3, 1)]),
      queue.now({ method: 'answerCallbackQuery', payload: { chat_id: 4 } }),
    ];
    expect(await first).toBe('sent');
    await Promise.all(rest);
    expect(sent).toEqual([
      '9:1',
      '4:answerCallbackQuery',
      '9:1',
      '1:1',
      '2:editMessageReplyMarkup',
      '2:1',
      '3:1',
      '1:2',
      '1:3',
    ]);
  });
});
