/**
 * The embedded stores keep the same promises as Redis: the shared contract suite, run on the
 * in-process store and on a real SQLite file.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openMemoryStore } from '../../src/store/memory.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { tempDir } from '../engine/helpers.ts';
import { describeStoreContract } from './contract.ts';

describeStoreContract('memory', (now) => Promise.resolve(openMemoryStore(now)));
describeStoreContract('sqlite', (now) =>
  Promise.resolve(openSqliteStore(join(tempDir(), 'contract.db'), { now })),
);

describe('memory store records', () => {
  it('encodes a record once, and a record loaded before a save keeps its own text', async () => {
    const store = openMemoryStore();
    let encoded = 0;
    const v1 = await store.save('k', () => `first ${++encoded}`, { ttlMs: 60_000, expectVersion: 0 });
    const before = await store.load('k');
    await store.save('k', 'second', { ttlMs: 60_000, expectVersion: v1 });
    expect(before?.data).toBe('first 1');
    expect(before?.data).toBe('first 1');
    expect(encoded).toBe(1);
    expect(await store.load('k')).toEqual({ data: 'second', version: v1 + 1 });
  });
});
