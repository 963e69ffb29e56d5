/**
 * Faults: the store failing mid-turn, a locked SQLite file, a redelivered update after a crash
 * between saving and replying. The person always gets an answer; no turn is half-applied or lost.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { type SessionStore, StoreUnavailableError } from '../../src/index.ts';
import { openMemoryStore } from '../../src/store/memory.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { engineFor, said, tempDir } from '../engine/helpers.ts';
import { reportTally, tally } from './tally.ts';

reportTally(import.meta.filename);

/** A real store whose next operations fail on demand, as a store that went away would. */
function flaky(inner: SessionStore) {
  const failing = new Set<'load' | 'save'>();
  const store: SessionStore = {
    ...inner,
    async load(key) {
      if (failing.has('load')) throw new StoreUnavailableError('injected: store down');
      return inner.load(key);
    },
    async save(key, data, o) {
      if (failing.has('save')) throw new StoreUnavailableError('injected: store down');
      return inner.save(key, data, o);
    },
  };
  return { store, fail: (op: 'load' | 'save') => failing.add(op), heal: () => failing.clear() };
}

describe('faults never lose a turn', () => {
  it('a save that fails answers "try again" and leaves the conversation where it was', async () => {
    const f = flaky(openMemoryStore());
    const engine = await engineFor({ store: f.store });
    await engine.handle({ user: 'f', kind: 'command', command: 'start', flow: 'job-offer' });
    f.fail('save');
    tally.faults++;
    const down = await engine.handle({ user: 'f', kind: 'choice', choice: 'abroad' });
    expect(said(down)).toMatch(/try again in a moment/);
    f.heal();
    // Not half-applied: the same answer is still expected, and it counts once.
    const again = await engine.handle({ user: 'f', kind: 'choice', choice: 'abroad' });
    expect(again.state).toBe('fee');
    expect(again.risk.flags).toEqual(['overseas']);
  });

  it('a load that fails answers "try again", and the next turn works', async () => {
    const f = flaky(openMemoryStore());
    const engine = await engineFor({ store: f.store });
    await engine.handle({ user: 'g', kind: 'command', command: 'start', flow: 'job-offer' });
    f.fail('load');
    tally.faults++;
    expect(said(await engine.handle({ user: 'g', kind: 'text', text: '1' }))).toMatch(/try again/);
    f.heal();
    expect((await engine.handle({ user: 'g', kind: 'text', text: '1' })).state).toBe('fee');
  });

  it('a SQLite file locked by another writer fails the turn kindly, then works once released', async () => {
    const file = join(tempDir(), 'busy.db');
    const store = openSqliteStore(file, { busyTimeoutMs: 50 });
    const engine = await engineFor({ store });
    await engine.handle({ user: 'b', kind: 'command', command: 'start', flow: 'job-offer' });
    const other = new Database(file);
    other.exec('BEGIN EXCLUSIVE');
    tally.faults++;
    const busy = await engine.handle({ user: 'b', kind: 'choice', choice: 'abroad' });
    expect(said(busy)).toMatch(/try again/);
    other.exec('ROLLBACK');
    other.close();
    const ok = await engine.handle({ user: 'b', kind: 'choice', choice: 'abroad' });
    expect(ok.state).toBe('fee');
    await engine.close();
  });

  it('an update redelivered after a crash between save and reply is answered again, applied once', async () => {
    const store = openMemoryStore();
    const first = await engineFor({ store });
    await first.handle({ user: 'k', kind: 'command', command: 'start', flow: 'job-offer', id: '100' });
    const applied = await first.handle({ user: 'k', kind: 'choice', choice: 'abroad', id: '101' });
    expect(applied.state).toBe('fee');
    // The process dies before the reply leaves; a new process gets the same update again.
    const second = await engineFor({ store });
    tally.restarts++;
    const replay = await second.handle({ user: 'k', kind: 'choice', choice: 'abroad', id: '101' });
    expect(replay.state).toBe('fee');
    expect(replay.replies.map((r) => r.text)).toEqual(applied.replies.map((r) => r.text));
    const next = await second.handle({ user: 'k', kind: 'text', text: 'no', id: '102' });
    expect(next.state).toBe('medium_risk');
  });

  it('a flood from one person is slowed kindly and costs another person nothing', async () => {
    const engine = await engineFor({ rateLimitPerMinute: 10 });
    await engine.handle({ user: 'calm', kind: 'command', command: 'start', flow: 'job-offer' });
    const flood = await Promise.all(
      Array.from({ length: 40 }, () => engine.handle({ user: 'flood', kind: 'text', text: 'spam' })),
    );
    tally.badInputs += 40;
    expect(flood.filter((r) => /sending messages very fast/.test(said(r))).length).toBeGreaterThanOrEqual(30);
    const calm = await engine.handle({ user: 'calm', kind: 'choice', choice: 'abroad' });
    expect(calm.state).toBe('fee');
  });
});
