import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

const { loadBundle } = await import('../src/index.ts');
const s = new Session();
s.connect();
await s.post('Profiler.enable');
await s.post('Profiler.setSamplingInterval', { interval: 100 });
await s.post('Profiler.start');
const t0 = performance.now();
await loadBundle('./flows');
const t1 = performance.now();
const { profile } = await s.post('Profiler.stop');
writeFileSync('/tmp/scratch/load.cpuprofile', JSON.stringify(profile));
console.log('load ms', (t1 - t0).toFixed(0));
const t2 = performance.now();
await loadBundle('./flows');
console.log('second', (performance.now() - t2).toFixed(0));
process.exit(0);
