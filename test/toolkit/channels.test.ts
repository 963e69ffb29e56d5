import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTest } from '../../src/cli/test.ts';
import { type Bundle, loadBundle } from '../../src/index.ts';
import { openEngineChannel } from '../../src/toolkit/channels/engine.ts';
import { openJsonlChannel } from '../../src/toolkit/channels/jsonl.ts';
import { compareRuns } from '../../src/toolkit/compare.ts';
import type { Convo } from '../../src/toolkit/convo.ts';
import { type Channel, type ConvoResult, runConvo, userFor } from '../../src/toolkit/runner.ts';
import { findConvoFiles, loadConvos } from '../../src/toolkit/suite.ts';
import { assembleFlows, collect, ROOT, TOOLKIT_CONVOS, TOOLKIT_FLOWS } from './helpers.ts';

let dir: string;
let bundle: Bundle;
let convos: Convo[];
let terminal: Channel;
beforeAll(async () => {
  dir = assembleFlows(TOOLKIT_FLOWS);
  bundle = await loadBundle(dir);
  convos = loadConvos(findConvoFiles([TOOLKIT_CONVOS])).convos;
  terminal = openJsonlChannel({ root: ROOT, flowsDir: resolve(dir) });
});
afterAll(async () => {
  await terminal?.close();
});

describe('one transcript, every channel', () => {
  it('runs each script through the engine and through the terminal adapter process, with the same course', async () => {
    expect(convos.length).toBe(4);
    const engine = await openEngineChannel(bundle);
    for (const convo of convos) {
      const viaEngine: ConvoResult = await runConvo(convo, engine, userFor(convo, engine.name));
      const viaTerminal: ConvoResult = await runConvo(convo, terminal, userFor(convo, terminal.name));
      expect(viaEngine.failure, convo.file).toBeUndefined();
      expect(viaTerminal.failure, convo.file).toBeUndefined();
      expect(compareRuns(viaEngine, viaTerminal), convo.file).toEqual([]);
      expect(viaTerminal.seen.at(-1)!.outcome).not.toBeNull();
    }
    await engine.close();
  });

  it('notices when two channels part ways', async () => {
    const a = convos.find((c) => c.file.endsWith('job-offer.en.1.convo.yml'));
    const engine = await openEngineChannel(bundle);
    const one = await runConvo(a!, engine, 'x1');
    const two = await runConvo(a!, engine, 'x2');
    await engine.close();
    const last = two.seen.at(-1)!;
    two.seen[two.seen.length - 1] = { ...last, state: 'somewhere_else', replies: [] };
    const diffs = compareRuns(one, { ...two, channel: 'other' });
    expect(diffs[0]).toMatch(
      /job-offer\.en\.1\.convo\.yml:\d+ step 3: state differs: engine "high_risk" · other "somewhere_else"/,
    );
    expect(diffs.some((d) => d.includes('replies differ'))).toBe(true);
  });

  it('`safestep test --channel all` runs both and agrees', async () => {
    const c = collect();
    expect(await runTest([TOOLKIT_CONVOS], { flowsDir: dir, channel: 'all', root: ROOT }, c.out)).toBe(0);
    expect(c.lines.at(-1)).toBe('8 passed, 0 failed');
  });
});
