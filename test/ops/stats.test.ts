import { afterAll, describe, expect, it } from 'vitest';
import { formatStats, summarizeStats } from '../../src/cli/stats.ts';
import { openRedisStore } from '../../src/store/redis.ts';
import { engineFor, userOf } from '../engine/helpers.ts';
import { flushPrefix, SHARED_URL, testPrefix } from './redis-helpers.ts';

const prefix = testPrefix('stats');
afterAll(() => flushPrefix(prefix));

describe('operator statistics', () => {
  it('summarizes flows, outcome levels, where people stop, languages and regions', () => {
    const text = formatStats({
      'flow_started:job-offer': 6,
      'flow_started:police-call': 2,
      'outcome:job-offer:high': 3,
      'outcome:job-offer:low': 1,
      'outcome:police-call:critical': 1,
      'at_state:job-offer.where': 0, // everybody moved on: not a drop-off
      'at_state:job-offer.fee': 2,
      'at_state:job-offer.high_risk': 3,
      'at_state:police-call.who': 1,
      'locale:en': 5,
      'locale:zh-CN': 3,
      'region:UK': 4,
      'region:unknown': 4,
      'something:else': 9,
    });
    expect(text).toContain('Conversations by flow (8)');
    expect(text).toMatch(/job-offer\s+6\s+75%/);
    expect(text).toContain('Outcomes by risk level (5)');
    // Most severe first.
    expect(text).toMatch(
      /Outcomes by risk level \(5\)\n\s+critical\s+1\s+20%\n\s+high\s+3\s+60%\n\s+low\s+1\s+20%\n/,
    );
    expect(text).toMatch(/job-offer\s+high 3 · low 1/);
    expect(text).toMatch(/fee\s+2/);
    expect(text).not.toMatch(/where\s+0/);
    expect(text).toMatch(/zh-CN\s+3\s+38%/);
    expect(text).toMatch(/unknown\s+4\s+50%/);
    expect(text).not.toContain('something');
  });

  it('says so when nothing was counted yet', () => {
    expect(formatStats({})).toBe('No conversations counted yet.\n');
  });

  it('counts real conversations kept in Redis without a trace of who had them', async () => {
    const store = await openRedisStore(SHARED_URL, { prefix });
    const engine = await engineFor({ store, rateLimitPerMinute: 0 });
    const people = [
      { id: 'tg:4915112345678', locale: 'en', region: 'UK', path: ['abroad', 'paid_fee'] },
      { id: 'dc:998877665544', locale: 'zh-CN', region: 'CN', path: ['home', 'no_fee'] },
      { id: 'tg:4477009876543', locale: 'en', region: 'UK', path: ['abroad'] },
    ];
    for (const p of people) {
      const u = userOf(engine, p.id, { locale: p.locale, region: p.region });
      await u.text('I got a job offer, call me on +44 7700 900123 or mail jane.doe@example.com');
      await u.command('start', { flow: 'job-offer' });
      for (const choice of p.path) await u.press(choice);
    }
    const counters = await store.counters();
    await engine.close();
    const names = Object.keys(counters).join('\n');
    for (const secret of ['4915112345678', '998877665544', '4477009876543', '7700', 'jane', 'tg:', 'dc:']) {
      expect(names).not.toContain(secret);
    }
    const s = summarizeStats(counters);
    expect(s.flows.find((f) => f.name === 'job-offer')?.count).toBe(3);
    expect(s.levels).toEqual([
      { name: 'high', count: 1 },
      { name: 'low', count: 1 },
    ]);
    expect(s.dropOff.find((f) => f.flow === 'job-offer')?.states).toEqual([
      { name: 'fee', count: 1 },
      { name: 'high_risk', count: 1 },
      { name: 'low_risk', count: 1 },
    ]);
    expect(s.locales).toEqual([
      { name: 'en', count: 2 },
      { name: 'zh-CN', count: 1 },
    ]);
    expect(s.regions).toEqual([
      { name: 'UK', count: 2 },
      { name: 'CN', count: 1 },
    ]);
    const text = formatStats(counters);
    expect(text).not.toMatch(/4915|9988|4477/);
  });
});
