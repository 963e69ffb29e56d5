/**
 * A bot process that dies in the middle of a turn: the real engine on the real store, whose
 * understanding step (inside the conversation's lease, before the save) freezes the process on
 * a text containing `#hang`. The test then kills it with SIGKILL, as a crash or OOM kill would.
 * Usage: node --import tsx test/ops/hang-worker.ts '<inbound JSON>'  (SAFESTEP_STORE, SAFESTEP_FLOWS)
 */
import { writeSync } from 'node:fs';
import { createEngine, createLogger, type Inbound, loadBundle, openStore } from '../../src/index.ts';

const inbound = JSON.parse(process.argv[2] ?? '{}') as Inbound;
const bundle = await loadBundle(process.env.SAFESTEP_FLOWS);
const store = await openStore(process.env.SAFESTEP_STORE);
const inner = bundle.understanding;
const engine = createEngine({
  bundle,
  store,
  logger: createLogger({ level: 'warn' }),
  rateLimitPerMinute: 0,
  understanding: {
    analyze(text, hint) {
      if (text.includes('#hang')) {
        writeSync(1, 'holding\n');
        // Freeze: no event loop, so no lease renewal and no release, until SIGKILL.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
      }
      return inner.analyze(text, hint);
    },
  },
});
const result = await engine.handle(inbound);
writeSync(1, `${JSON.stringify({ done: result.state })}\n`);
await engine.close();
