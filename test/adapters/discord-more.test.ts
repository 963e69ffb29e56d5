/**
 * The Discord adapter where things get hard: Discord's limits, quick hide, the public card,
 * errors and retries, a dropped gateway, slow turns against the 3-second window, closed DMs,
 * shutting down mid-turn. The real discord.js client, the fake Discord, the real engine.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/index.ts';
import {
  buttonId,
  type Harness,
  type HarnessOptions,
  logCapture,
  startHarness,
} from '../fakes/discord-harness.ts';

const carol = { id: '900000000000000003', username: 'carol' };
const dave = { id: '900000000000000004', username: 'dave' };

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});
async function harness(opts: HarnessOptions = {}): Promise<Harness> {
  h = await startHarness(opts);
  return h;
}

/** An engine whose next turn waits until the test lets it go. */
function gated() {
  let open: () => void = () => {};
  let gate: Promise<void> | undefined;
  let arrived: () => void = () => {};
  let reached = Promise.resolve();
  return {
    hold() {
      gate = new Promise<void>((r) => {
        open = r;
      });
      reached = new Promise<void>((r) => {
        arrived = r;
      });
    },
    /** Resolves when a turn is held at the gate. */
    reached: () => reached,
    release: () => open(),
    wrap: (engine: Engine): Engine => ({
      ...engine,
      bundle: engine.bundle,
      store: engine.store,
      liveConversations: () => engine.liveConversations(),
      close: () => engine.close(),
      async handle(inbound) {
        const result = await engine.handle(inbound);
        if (gate) {
          const g = gate;
          gate = undefined;
          arrived();
          await g;
        }
        return result;
      },
    }),
  };
}

describe("Discord's limits", () => {
  it('turns 27 answers into select menus, and a long message into parts under 2000 characters', async () => {
    const t = await harness();
    let mark = t.mark();
    t.fake.dm(carol, '/start long-lists');
    const pick = await t.next(mark, (s) => s.menus.length > 0);
    const options = pick.menus.flatMap((m) => m.options);
    expect(options).toHaveLength(27);
    expect(pick.menus.every((m) => m.options.length <= 25)).toBe(true);

    mark = t.mark();
    t.fake.press(carol, pick.menus[0]!.custom_id, { values: ['c01'] });
    const goOn = await t.next(mark, (s) => s.buttons.size > 0);
    const parts = await t.since(mark);
    const texts = parts.filter((s) => s.content.includes('This paragraph is long on purpose'));
    expect(texts.length).toBeGreaterThan(1);
    expect(texts.every((s) => s.content.length <= 2000)).toBe(true);
    // Nothing was lost between the parts.
    for (const n of [1, 2, 3, 4, 5, 6])
      expect(texts.some((s) => s.content.includes(`Part ${n}.`))).toBe(true);
    // The select menu's message shows what was picked.
    const picked = parts.find((s) => s.call.path.endsWith('/callback'))!;
    expect(picked.content).toContain('→ An answer with a long label');
    expect(goOn.buttons.size).toBeGreaterThan(0);
    expect(t.fake.refused).toEqual([]);
  });
});

describe('quick hide', () => {
  it('deletes the bot’s recent messages in the DM and leaves a neutral reply', async () => {
    const t = await harness();
    let mark = t.mark();
    t.fake.dm(carol, '/start job-offer');
    const where = await t.next(mark, (s) => s.buttons.size > 0);
    mark = t.mark();
    t.fake.press(carol, buttonId(where, 'Abroad'));
    await t.next(mark, (s) => s.content.includes('pay anything first'));
    await t.since(mark);
    expect(t.fake.dmScreen(carol).length).toBeGreaterThan(1);

    mark = t.mark();
    t.fake.dm(carol, '/hide');
    await t.next(mark, (s) => s.content === 'OK.');
    await t.since(mark);
    expect(t.fake.dmScreen(carol).map((m) => m.content)).toEqual(['OK.']);
  });

  it('deletes private replies in a server too', async () => {
    const t = await harness();
    let mark = t.mark();
    t.fake.slash(dave, 'safestep', [{ name: 'topic', value: 'job-offer' }]);
    await t.next(mark);
    mark = t.mark();
    t.fake.slash(dave, 'safestep', [{ name: 'text', value: 'hide' }]);
    await t.next(mark, (s) => s.content === 'OK.');
    await t.since(mark);
    const live = t.fake.messages().filter((m) => !m.deleted);
    expect(live.map((m) => m.content)).toEqual(['OK.']);
  });
});

describe('the moderators’ card', () => {
  it('is public, holds nobody’s data, and its button starts a private conversation for whoever presses', async () => {
    const t = await harness();
    let mark = t.mark();
    t.fake.slash(carol, 'safestep-card', []);
    const card = await t.next(mark);
    expect(card.flags & 64).toBe(0);
    expect(card.content).toContain('/safestep');
    expect(card.content).not.toMatch(/carol|900000000000000003/);

    expect([...card.buttons.values()]).toEqual(['Check something privately']);

    mark = t.mark();
    t.fake.press(dave, [...card.buttons.keys()][0]!);
    const reply = await t.next(mark);
    expect(reply.flags & 64).toBe(64);
    expect(reply.content).toContain('What happened?');
    // The card itself is untouched: still there, with its button, for the next person.
    const stored = t.fake.messages().find((m) => m.content === card.content)!;
    expect(stored.deleted).toBe(false);
    expect(stored.components).toHaveLength(1);
  });
});

describe('errors and recovery', () => {
  it('logs a failed send once, with context and without text or tokens, and asks the person to retry', async () => {
    const logs = logCapture();
    const t = await harness({ logger: logs.logger });
    t.fake.fail(/^\/channels\/\d+\/messages$/, 1, { status: 403, code: 50001, message: 'Missing Access' });
    const mark = t.mark();
    t.fake.dm(carol, 'my wallet is 0x52908400098527886E0F7030069857D2E4169EE7');
    const notice = await t.next(mark);
    expect(notice.content).toBe("Sorry, I couldn't answer just now. Please try again in a moment.");
    await t.since(mark);
    const failures = logs.lines.filter((l) => String(l.msg).includes('could not answer'));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      where: 'direct message',
      err: { status: 403, code: 50001, method: 'POST' },
    });
    expect((failures[0]!.err as { route: string }).route).toMatch(/^\/channels\/\d+\/messages$/);
    const all = logs.raw.join('\n');
    expect(all).not.toContain('0x52908400098527886E0F7030069857D2E4169EE7');
    expect(all).not.toContain('test-token');
    expect(all).not.toMatch(/tok-\d+/);

    // The next message goes through.
    const again = t.mark();
    t.fake.dm(carol, '/start job-offer');
    await t.next(again, (s) => s.buttons.size > 0);
  });

  it('in a server, a failed private follow-up is logged once and the person gets a private retry notice', async () => {
    const logs = logCapture();
    const t = await harness({ logger: logs.logger });
    let mark = t.mark();
    t.fake.slash(dave, 'safestep', [{ name: 'topic', value: 'job-offer' }]);
    const reply = await t.next(mark);
    t.fake.fail(/^\/webhooks\/\d+\/[^/]+$/, 1, {
      status: 400,
      code: 50035,
      message: 'Invalid Form Body',
      method: 'POST',
    });
    mark = t.mark();
    t.fake.press(dave, buttonId(reply, 'Abroad'));
    const notice = await t.next(mark, (s) => s.content.includes('try again'));
    expect(notice.flags & 64).toBe(64);
    await t.since(mark);
    const failures = logs.lines.filter((l) => String(l.msg).includes('could not answer'));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      err: { status: 400, code: 50035, route: expect.stringMatching(/:token$/) },
    });
    expect(logs.raw.join('\n')).not.toMatch(/tok-\d+/);

    // The turn itself was applied once: /safestep alone shows the person where they are.
    mark = t.mark();
    t.fake.slash(dave, 'safestep', []);
    const now = await t.next(mark);
    expect(now.content).toContain('pay anything first');
  });

  it('reconnects by itself when the gateway drops, and answers what was sent meanwhile exactly once', async () => {
    const t = await harness();
    t.fake.dropGateway();
    const mark = t.mark();
    t.fake.dm(dave, '/start job-offer');
    await t.next(mark, (s) => s.buttons.size > 0, 8000);
    expect(t.fake.gateway.resumes).toBeGreaterThanOrEqual(1);
    expect(t.fake.gateway.identifies).toHaveLength(1);
    await t.since(mark);
    expect(t.fake.dmScreen(dave).filter((m) => m.content.includes('abroad?'))).toHaveLength(1);
  });

  it('identifies with the minimal intents: Guilds and DirectMessages, nothing privileged', async () => {
    const t = await harness();
    expect(t.fake.gateway.identifies[0]!.intents).toBe((1 << 0) | (1 << 12));
  });
});

describe('slow turns and the 3-second window', () => {
  it('acknowledges a slow slash command first, then shows the answer in the same private message', async () => {
    const gate = gated();
    const t = await harness({ wrap: gate.wrap, ackWithinMs: 50 });
    gate.hold();
    const mark = t.mark();
    t.fake.slash(carol, 'safestep', [{ name: 'topic', value: 'job-offer' }]);
    const deferred = await t.fake.waitFor(
      (c) => t.fake.calls.indexOf(c) >= mark && c.path.endsWith('/callback'),
    );
    expect(deferred.body).toMatchObject({ type: 5, data: { flags: 64 } });
    gate.release();
    const edited = await t.next(mark, (s) => s.call.method === 'PATCH');
    expect(edited.content).toContain('Is the job in your country or abroad?');
    expect(edited.buttons.size).toBeGreaterThan(0);
    const original = t.fake.messages().find((m) => m.content.includes('abroad?'))!;
    expect(original.flags & 64).toBe(64);
  });

  it('acknowledges a slow button press first, then updates the pressed message and follows up', async () => {
    const gate = gated();
    const t = await harness({ wrap: gate.wrap, ackWithinMs: 50 });
    let mark = t.mark();
    t.fake.dm(dave, '/start job-offer');
    const where = await t.next(mark, (s) => s.buttons.size > 0);
    gate.hold();
    mark = t.mark();
    t.fake.press(dave, buttonId(where, 'Abroad'));
    const deferred = await t.fake.waitFor(
      (c) => t.fake.calls.indexOf(c) >= mark && c.path.endsWith('/callback'),
    );
    expect(deferred.body).toMatchObject({ type: 6 });
    gate.release();
    await t.next(mark, (s) => s.content.includes('pay anything first'));
    await t.since(mark);
    const pressed = t.fake.dmScreen(dave).find((m) => m.content.includes('abroad?'))!;
    expect(pressed.content).toContain('→ Abroad');
    expect(pressed.components).toEqual([]);
  });
});

describe('continuing in DMs when DMs are closed', () => {
  it('says so and keeps the conversation going privately in the server', async () => {
    const t = await harness();
    t.fake.closeDms(carol);
    let mark = t.mark();
    t.fake.slash(carol, 'safestep', [{ name: 'topic', value: 'job-offer' }]);
    const reply = await t.next(mark);
    mark = t.mark();
    t.fake.press(carol, buttonId(reply, 'Continue privately in DMs'));
    const note = await t.next(mark, (s) => s.content.includes("couldn't send you a direct message"));
    expect(note.flags & 64).toBe(64);
    const question = await t.next(mark, (s) => s.content.includes('abroad?') && s.buttons.size > 0);
    expect(question.flags & 64).toBe(64);
  });
});

describe('shutting down', () => {
  it('lets a turn in flight send its reply before disconnecting', async () => {
    const gate = gated();
    const t = await harness({ wrap: gate.wrap });
    gate.hold();
    const mark = t.mark();
    t.fake.dm(dave, '/start job-offer');
    // The turn is running (held in the engine): stop now, then let it finish.
    await gate.reached();
    const stopping = t.stopBot();
    gate.release();
    await stopping;
    expect(t.fake.dmScreen(dave).some((m) => m.content.includes('abroad?'))).toBe(true);
    expect(t.fake.calls.slice(mark).length).toBeGreaterThan(0);
  });
});
