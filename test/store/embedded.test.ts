/**
 * The embedded stores keep the same promises as Redis: the shared contract suite, run on the
 * in-process store and on a real SQLite file.
 */
import { join } from 'node:path';
import { openMemoryStore } from '../../src/store/memory.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { tempDir } from '../engine/helpers.ts';
import { describeStoreContract } from './contract.ts';

describeStoreContract('memory', (now) => Promise.resolve(openMemoryStore(now)));
describeStoreContract('sqlite', (now) =>
  Promise.resolve(openSqliteStore(join(tempDir(), 'contract.db'), { now })),
);
