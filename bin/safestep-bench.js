#!/usr/bin/env node
// `npm run bench`: the benchmarks run from the TypeScript sources through tsx, as bin/safestep.js does.
import { register } from 'tsx/esm/api';

register();
await import('../bench/run.ts');
