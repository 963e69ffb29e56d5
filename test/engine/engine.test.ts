import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, type SessionStore, StoreUnavailableError } from '../../src/index.ts';
import { openMemoryStore } from '../../src/store/memory.ts';
import { engineFor, offered, said, tempDir, userOf } from './helpers.ts';

describe('a conversation through the real engine', () => {
  it('walks from a deep link to an outcome with buttons, recording flags and risk', async () => {
    const u = userOf(await engineFor(), 'walk', { region: 'UK' });
    let r = await u.command('start', { flow: 'job-offer' });
    expect(r.flow).toBe('job-offer');
    expect(r.state).toBe('where');
    expect(offered(r)).toEqual(['abroad', 'home']);

    r = await u.press('abroad');
    expect(r.state).toBe('fee');
    expect(r.risk).toEqual({ level: 'medium', flags: ['overseas'] });
    // A choice guarded by a recorded flag is offered only now.
    expect(offered(r)).toContain('only_abroad');

    r = await u.press('paid_fee');
    expect(r.state).toBe('high_risk');
    expect(r.outcome).toMatchObject({ level: 'high', steps: ['stop_contact', 'do_not_pay'] });
    expect(r.outcome?.resources).toEqual([
      { id: 'emergency', label: 'Emergency', contact: '999', verified: true },
    ]);
    expect(said(r)).toContain("Don't pay anything.");
    expect(offered(r)).toEqual(expect.arrayContaining(['_evidence', '_restart']));
  });

  it('accepts a typed number, label or id, ignoring case, width and spacing', async () => {
    const engine = await engineFor();
    for (const typed of ['1', ' Abroad ', 'ＡＢＲＯＡＤ', '１']) {
      const u = userOf(engine, `typed-${typed}`);
      await u.command('start', { flow: 'job-offer' });
      const r = await u.text(typed);
      expect(r.state, typed).toBe('fee');
      expect(r.risk.flags).toContain('overseas');
    }
    const zh = userOf(engine, 'typed-zh', { locale: 'zh-CN' });
    await zh.command('start', { flow: 'job-offer' });
    expect((await zh.text('国外')).state).toBe('fee');
  });

  it('answers a message it does not understand kindly, with the same choices, without moving', async () => {
    const u = userOf(await engineFor(), 'lost');
    await u.command('start', { flow: 'job-offer' });
    const r = await u.text('qwertyuiop');
    expect(r.state).toBe('where');
    expect(said(r)).toMatch(/didn't catch that/);
    expect(offered(r)).toEqual(['abroad', 'home']);
  });

  it('recognises a button from an earlier message and answers kindly without acting on it', async () => {
    const u = userOf(await engineFor(), 'stale');
    await u.command('start', { flow: 'job-offer' });
    const oldStamp = u.stamp()!;
    await u.press('home');
    const r = await u.press('abroad', oldStamp);
    expect(r.state).toBe('fee');
    expect(r.risk.flags).not.toContain('overseas');
    expect(said(r)).toMatch(/earlier message/);
  });

  it('refuses a button forged with another conversation’s stamp', async () => {
    const engine = await engineFor();
    const a = userOf(engine, 'forge-a');
    const b = userOf(engine, 'forge-b');
    await a.command('start', { flow: 'job-offer' });
    await b.command('start', { flow: 'job-offer' });
    const r = await b.press('abroad', a.stamp());
    expect(r.state).toBe('where');
    expect(said(r)).toMatch(/isn't from this conversation/);
  });

  it('undoes one step with back, including the flags that step recorded', async () => {
    const u = userOf(await engineFor(), 'back');
    await u.command('start', { flow: 'job-offer' });
    await u.press('abroad');
    await u.press('paid_fee');
    let r = await u.command('back');
    expect(r.state).toBe('fee');
    expect(r.risk.flags).toEqual(['overseas']);
    r = await u.command('back');
    expect(r.state).toBe('where');
    expect(r.risk.flags).toEqual([]);
  });

  it('routes free text by intent in a state with routes', async () => {
    const u = userOf(await engineFor(), 'route');
    await u.command('start', { flow: 'job-offer' });
    await u.press('home');
    const r = await u.text('yes');
    expect(r.state).toBe('high_risk');
    expect(r.risk.flags).toContain('upfront_fee');
  });

  it('restarts, helps, switches language, hides and forgets in any state', async () => {
    const store = openMemoryStore();
    const engine = await engineFor({ store });
    const u = userOf(engine, 'globals');
    await u.command('start', { flow: 'job-offer' });
    await u.press('abroad');

    let r = await u.command('help');
    expect(r.state).toBe('fee');
    expect(said(r)).toContain('/emergency');

    r = await u.command('language', { arg: 'zh-CN' });
    expect(r.locale).toBe('zh-CN');
    expect(said(r)).toContain('对方有没有要你先交钱');

    r = await u.command('hide');
    expect(r.effects).toContainEqual({ type: 'hide' });
    expect(offered(r)).toEqual([]);

    r = await u.command('restart');
    expect([r.flow, r.state]).toEqual(['triage', 'what']);
    expect(r.risk.flags).toEqual([]);
    expect(r.locale).toBe('zh-CN');

    expect(engine.liveConversations()).toBe(1);
    r = await u.command('forget');
    expect(r.effects).toContainEqual({ type: 'forgotten' });
    expect(await store.load('globals')).toBeUndefined();
    // Nothing of the conversation stays in the process's memory either.
    expect(engine.liveConversations()).toBe(0);
    // Coming back is meeting the bot for the first time.
    r = await u.text('hello');
    expect(said(r)).toBe(said(await userOf(engine, 'someone-new').text('hello')));
  });

  it('jumps to emergency help from any state, and back returns to where the user was', async () => {
    const u = userOf(await engineFor(), 'sos', { region: 'CN' });
    await u.command('start', { flow: 'job-offer' });
    await u.press('abroad');
    let r = await u.command('emergency');
    expect(r.flow).toBe('emergency');
    expect(r.risk.level).toBe('critical');
    expect(r.outcome?.resources.map((x) => x.contact)).toContain('110');
    r = await u.command('back');
    expect([r.flow, r.state]).toEqual(['job-offer', 'fee']);
  });

  it('never shows an unverified number, and marks one seen only in news', async () => {
    const engine = await engineFor();
    const us = userOf(engine, 'us', { region: 'US' });
    await us.command('start', { flow: 'emergency' });
    let r = us.last!;
    expect(r.outcome?.resources.map((x) => x.contact)).not.toContain('1-877-000-0000');
    const uk = userOf(engine, 'uk', { region: 'UK' });
    r = await uk.command('start', { flow: 'emergency' });
    expect(said(r)).toMatch(/08000 121 700 \(from news reports/);
  });

  it('asks where the person is when the contacts depend on it, and remembers the answer', async () => {
    const u = userOf(await engineFor(), 'where');
    let r = await u.command('start', { flow: 'emergency' });
    expect(said(r)).toContain('your local emergency number');
    expect(offered(r)).toContain('_region:UK');
    r = await u.press('_region:UK');
    expect(r.outcome?.resources.map((x) => x.contact)).toContain('999');
    expect(offered(r)).not.toContain('_region:UK');
  });

  it('builds an evidence summary from answers and added details, in the user’s language', async () => {
    const u = userOf(await engineFor(), 'evidence');
    await u.command('start', { flow: 'job-offer' });
    await u.press('abroad');
    await u.press('no_fee');
    await u.text('They wrote from +855 12 345 678 and sent https://bit.ly/abc');
    const r = await u.press('_evidence');
    const text = said(r);
    expect(text).toContain('Job offer check');
    expect(text).toContain('Is the job in your country or abroad? → Abroad');
    expect(text).toContain('https://bit.ly/abc');
  });

  it('keeps two messages of one conversation from interleaving', async () => {
    const store = openMemoryStore();
    const engine = await engineFor({ store });
    await engine.handle({ user: 'race', kind: 'command', command: 'start', flow: 'job-offer' });
    const [a, b] = await Promise.all([
      engine.handle({ user: 'race', kind: 'choice', choice: 'abroad' }),
      engine.handle({ user: 'race', kind: 'choice', choice: 'no_fee' }),
    ]);
    expect(a.state).toBe('fee');
    expect(b.state).toBe('medium_risk');
    const saved = JSON.parse((await store.load('race'))!.data);
    expect(saved.turns).toBe(3);
  });

  it('restarts with a notice when the flows changed, the row is corrupt, or the conversation idled out', async () => {
    const store = openMemoryStore();
    let t = 1_000_000;
    const engine = await engineFor({ store, now: () => t, idleTtlMs: 60_000 });
    const u = userOf(engine, 'reset');
    await u.command('start', { flow: 'job-offer' });

    const row = JSON.parse((await store.load('reset'))!.data);
    await store.save('reset', JSON.stringify({ ...row, hash: 'old' }), { ttlMs: 1e9 });
    let r = await u.text('hello');
    expect(said(r)).toMatch(/updated since we last spoke/);
    expect(r.flow).toBe('triage');

    await store.save('reset', '{not json', { ttlMs: 1e9 });
    r = await u.text('hello');
    expect(said(r)).toMatch(/couldn't read our earlier conversation/);

    t += 120_000;
    r = await u.text('hello');
    expect(said(r)).toMatch(/been a while/);
  });
});

describe('statistics', () => {
  it('counts where conversations are and how they end, once for each turn that happened', async () => {
    const store = openMemoryStore();
    let down = false;
    // The real store, whose saves fail while `down`, as a store that went away would.
    const flaky: SessionStore = {
      ...store,
      async save(key, data, o) {
        if (down) throw new StoreUnavailableError('injected: store down');
        return store.save(key, data, o);
      },
    };
    const u = userOf(await engineFor({ store: flaky }), 'counted', { region: 'UK' });
    await u.command('start', { flow: 'job-offer' });
    down = true;
    expect(said(await u.press('abroad'))).toMatch(/try again/);
    down = false;
    await u.press('abroad');
    await u.press('paid_fee');
    await u.command('help');
    const counted = await store.counters();
    expect(counted).toMatchObject({
      'flow_started:job-offer': 1,
      'at_state:job-offer.where': 0,
      'at_state:job-offer.fee': 0,
      'at_state:job-offer.high_risk': 1,
      'outcome:job-offer:high': 1,
      'region:UK': 1,
    });
  });
});

describe('durable sessions', () => {
  it('resumes at the same state after the engine is thrown away and reopened on the same SQLite file', async () => {
    const file = join(tempDir(), 'resume.db');
    const first = await engineFor({ store: await openStore(`sqlite:${file}`) });
    const u1 = userOf(first, 'durable');
    await u1.command('start', { flow: 'job-offer' });
    await u1.press('abroad');
    await first.close();

    const second = await engineFor({ store: await openStore(`sqlite:${file}`) });
    const u2 = userOf(second, 'durable');
    const r = await u2.text('2');
    expect(r.state).toBe('medium_risk');
    expect(r.risk.flags).toEqual(['overseas']);
    await second.close();
  });

  it('creates the SQLite file and its folder on first use', async () => {
    const file = join(tempDir(), 'nested', 'deeper', 'first.db');
    const store = await openStore(`sqlite:${file}`);
    await store.save('k', 'v', { ttlMs: 1000 });
    expect((await store.load('k'))?.data).toBe('v');
    await store.close();
  });
});

describe('language', () => {
  it('keeps the language a person typed in, even when later platform hints say otherwise', async () => {
    const engine = await engineFor();
    const first = await engine.handle({
      user: 'zh-typed',
      kind: 'text',
      text: '我收到一个国外的工作机会',
      locale: 'en-US',
    });
    expect(first.locale).toBe('zh-CN');
    const next = await engine.handle({ user: 'zh-typed', kind: 'command', command: 'help', locale: 'en-US' });
    expect(next.locale).toBe('zh-CN');
    expect(said(next)).toContain('/back');
    expect(said(next)).toContain('撤销上一步回答');
  });
});
