/**
 * The real discord.js client against a local fake Discord (REST + gateway on 127.0.0.1) and the
 * real engine on a SQLite file: what a person sees in DMs and in a server.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerCommands } from '../../adapters/discord/commands.ts';
import { buttonId, type Harness, startHarness } from '../fakes/discord-harness.ts';

const alice = { id: '900000000000000001', username: 'alice' };
const bob = { id: '900000000000000002', username: 'bob' };

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe('Discord: direct messages', () => {
  it('holds a whole conversation with button presses to an outcome', async () => {
    let mark = h.mark();
    h.fake.dm(alice, '/start job-offer');
    const where = await h.next(mark, (s) => s.buttons.size > 0);
    expect(where.content).toContain('Is the job in your country or abroad?');

    mark = h.mark();
    h.fake.press(alice, buttonId(where, 'Abroad'));
    const fee = await h.next(mark, (s) => s.content.includes('Did they ask you to pay anything first?'));

    mark = h.mark();
    h.fake.press(alice, buttonId(fee, 'Yes, a fee'));
    const outcome = await h.next(mark, (s) => s.content.includes('What to do now'));
    expect(outcome.content).toContain("Don't pay anything.");
    expect([...outcome.buttons.values()]).toContain('Make a summary for the bank or police');

    // The DM now reads as a transcript: each answered question shows the answer and has no buttons.
    await h.since(mark);
    const screen = h.fake.dmScreen(alice);
    const answered = screen.filter((m) => m.content.includes('→'));
    expect(answered.map((m) => m.content.split('→ ')[1])).toEqual(['Abroad', 'Yes, a fee']);
    expect(answered.every((m) => m.components.length === 0)).toBe(true);
    expect(h.fake.refused).toEqual([]);
  });

  it('takes typed answers: the number or the words of a button', async () => {
    let mark = h.mark();
    h.fake.dm(bob, '/start job-offer');
    await h.next(mark, (s) => s.buttons.size > 0);
    mark = h.mark();
    h.fake.dm(bob, '1');
    await h.next(mark, (s) => s.content.includes('Did they ask you to pay anything first?'));
    mark = h.mark();
    h.fake.dm(bob, 'yes, a fee');
    const outcome = await h.next(mark, (s) => s.content.includes('What to do now'));
    expect(outcome.content).toContain('This is how the scam works.');
  });

  it('answers an old button kindly and stays where the conversation is', async () => {
    let mark = h.mark();
    h.fake.dm(alice, '/start job-offer');
    const first = await h.next(mark, (s) => s.buttons.size > 0);
    // Answered by typing: the first message still shows its buttons.
    mark = h.mark();
    h.fake.dm(alice, 'abroad');
    const fee = await h.next(mark, (s) => s.content.includes('Did they ask you to pay anything first?'));

    mark = h.mark();
    h.fake.press(alice, buttonId(first, 'At home'));
    const kind = await h.next(mark, (s) => s.content.includes('earlier message'));
    expect(kind.content).toContain('Did they ask you to pay anything first?');

    // The conversation goes on from where it was: "abroad" still counts (an option only abroad has).
    mark = h.mark();
    h.fake.press(alice, buttonId(fee, 'Only abroad jobs ask that'));
    await h.next(mark, (s) => s.content.includes('Be careful.'));
  });

  it('resumes after the bot restarts: a button sent before the restart still works', async () => {
    let mark = h.mark();
    h.fake.dm(bob, '/start job-offer');
    const where = await h.next(mark, (s) => s.buttons.size > 0);
    mark = h.mark();
    h.fake.press(bob, buttonId(where, 'Abroad'));
    const fee = await h.next(mark, (s) => s.buttons.size > 0);

    await h.stopBot();
    await h.boot();

    mark = h.mark();
    h.fake.press(bob, buttonId(fee, 'No'));
    const outcome = await h.next(mark, (s) => s.content.includes('What to do now'));
    // "Abroad" was remembered across the restart: medium risk, not low.
    expect(outcome.content).toContain('Be careful.');
  });

  it('delivers a reply exactly once after a 429 from REST', async () => {
    h.fake.rateLimit(/^\/channels\/\d+\/messages$/, 1, 0.2);
    const mark = h.mark();
    h.fake.dm(alice, '/start job-offer');
    await h.next(mark, (s) => s.buttons.size > 0);
    await h.since(mark);
    expect(h.fake.refused.map((c) => c.status)).toEqual([429]);
    const questions = h.fake
      .dmScreen(alice)
      .filter((m) => m.content.includes('Is the job in your country or abroad?'));
    expect(questions).toHaveLength(1);
  });

  it('goes on in the DM as ordinary messages after a button press', async () => {
    let mark = h.mark();
    h.fake.dm(alice, '/start job-offer');
    const where = await h.next(mark, (s) => s.buttons.size > 0);
    mark = h.mark();
    h.fake.press(alice, buttonId(where, 'At home'));
    const fee = await h.next(mark, (s) => s.content.includes('pay anything first'));
    expect(fee.call.path).toMatch(/^\/channels\/\d+\/messages$/);
  });
});

describe('Discord: /safestep in a server', () => {
  it('answers only the person (ephemeral), in their language, then continues there and in DMs', async () => {
    let mark = h.mark();
    h.fake.slash(alice, 'safestep', [{ name: 'topic', value: 'job-offer' }], 'zh-CN');
    const reply = await h.next(mark);
    expect(reply.call.path).toMatch(/\/callback$/);
    expect((reply.call.body as { type: number }).type).toBe(4);
    expect(reply.flags & 64).toBe(64);
    expect(reply.content).toContain('这份工作在国内还是国外');

    // A button on the ephemeral message works; what follows is ephemeral too.
    mark = h.mark();
    h.fake.press(alice, buttonId(reply, '国外'), { locale: 'zh-CN' });
    const follow = await h.next(mark, (s) => s.content.includes('对方有没有要你先交钱'));
    expect(follow.call.path).toMatch(/^\/webhooks\//);
    expect(follow.flags & 64).toBe(64);
    // Nobody else saw anything: every message in the server channel is ephemeral, for alice.
    const inServer = h.fake.messages().filter((m) => !h.fake.dmScreen(alice).includes(m));
    expect(inServer.every((m) => (m.flags & 64) === 64 && m.visibleTo === alice.id)).toBe(true);

    // Continue in DMs: the DM picks up at the same question; the private message says so.
    mark = h.mark();
    h.fake.press(alice, buttonId(follow, '转到私信继续'), { locale: 'zh-CN' });
    const dm = await h.next(mark, (s) => /^\/channels\/\d+\/messages$/.test(s.call.path));
    expect(dm.content).toContain('对方有没有要你先交钱');
    const moved = await h.next(mark, (s) => s.call.path.endsWith('/callback'));
    expect(moved.content).toContain('私信');
    expect(moved.buttons.size).toBe(0);

    // And the conversation goes on in DMs.
    mark = h.mark();
    h.fake.press(alice, buttonId(dm, '是，要交费'), { locale: 'zh-CN' });
    const outcome = await h.next(mark, (s) => s.content.includes('这是骗局的套路'));
    expect(outcome.flags & 64).toBe(0);
  });

  it('delivers a private follow-up once after a 429 on the interaction webhook', async () => {
    let mark = h.mark();
    h.fake.slash(bob, 'safestep', [{ name: 'topic', value: 'job-offer' }]);
    const reply = await h.next(mark);
    h.fake.rateLimit(/^\/webhooks\//, 1, 0.2);
    mark = h.mark();
    h.fake.press(bob, buttonId(reply, 'At home'));
    await h.next(mark, (s) => s.content.includes('pay anything first'));
    await h.since(mark);
    expect(h.fake.refused.map((c) => c.status)).toEqual([429]);
    const fee = h.fake.messages().filter((m) => m.content.includes('pay anything first'));
    expect(fee).toHaveLength(1);
    expect(fee[0]!.visibleTo).toBe(bob.id);
  });

  it('checks a message given as text, privately', async () => {
    const mark = h.mark();
    h.fake.slash(bob, 'safestep', [
      { name: 'text', value: 'Congratulations! Pay a 500 USD deposit to secure the job abroad' },
    ]);
    const reply = await h.next(mark);
    expect(reply.flags & 64).toBe(64);
    expect(reply.content).toMatch(/warning sign|didn't find/);
  });
});

describe('Discord: registering the commands', () => {
  it('registers /safestep and the moderators’ card, in one server or globally', async () => {
    for (const guildId of [h.fake.guildId, undefined]) {
      const n = await registerCommands({
        token: 'test-token',
        applicationId: h.fake.appId,
        apiRoot: h.fake.apiRoot,
        bundle: h.bundle,
        ...(guildId ? { guildId } : {}),
      });
      expect(n).toBe(2);
    }
    for (const scope of [h.fake.guildId, 'global']) {
      const cmds = h.fake.commands.get(scope) as unknown as {
        name: string;
        default_member_permissions?: string;
        options?: { name: string; choices?: { value: string }[] }[];
      }[];
      expect(cmds.map((c) => c.name)).toEqual(['safestep', 'safestep-card']);
      // Only people who can manage the server may post the public card.
      expect(cmds[1]!.default_member_permissions).toBe(String(1n << 5n));
      const topics = cmds[0]!.options!.find((o) => o.name === 'topic')!.choices!.map((c) => c.value);
      expect(topics).toContain('job-offer');
      // Unlisted flows are not offered.
      expect(topics).not.toContain('long-lists');
    }
  });
});
