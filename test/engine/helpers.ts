/**
 * Test helpers: a real engine over a real flows folder and a real store, and a tiny
 * conversation driver. No part of the engine is replaced.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Bundle,
  type CommandName,
  createEngine,
  createLogger,
  type Engine,
  type EngineOptions,
  loadBundle,
  type SessionStore,
  type TurnResult,
} from '../../src/index.ts';
import { openMemoryStore } from '../../src/store/memory.ts';

export const BASIC = join(import.meta.dirname, '..', 'fixtures', 'flows-basic');

const bundles = new Map<string, Promise<Bundle>>();
export function bundleOf(dir = BASIC): Promise<Bundle> {
  if (!bundles.has(dir)) bundles.set(dir, loadBundle(dir));
  return bundles.get(dir)!;
}

export const quietLogger = createLogger({ level: 'silent' });

export async function engineFor(
  opts: Partial<EngineOptions> & { store?: SessionStore; dir?: string } = {},
): Promise<Engine> {
  const bundle = opts.bundle ?? (await bundleOf(opts.dir));
  return createEngine({ logger: quietLogger, store: opts.store ?? openMemoryStore(), ...opts, bundle });
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'safestep-test-'));
}

/** A user who types, presses and commands, with the buttons of the last reply at hand. */
export function userOf(engine: Engine, user = 'u1', hints: { locale?: string; region?: string } = {}) {
  let last: TurnResult | undefined;
  const remember = (r: TurnResult) => {
    last = r;
    return r;
  };
  const lastStamp = () => [...(last?.replies ?? [])].reverse().find((r) => r.stamp)?.stamp;
  return {
    text: async (text: string, extra: { forwarded?: boolean } = {}) =>
      remember(await engine.handle({ user, kind: 'text', text, ...hints, ...extra })),
    press: async (choice: string, stamp = lastStamp()) =>
      remember(await engine.handle({ user, kind: 'choice', choice, ...(stamp ? { stamp } : {}), ...hints })),
    command: async (command: CommandName, extra: { flow?: string; arg?: string } = {}) =>
      remember(await engine.handle({ user, kind: 'command', command, ...extra, ...hints })),
    get last() {
      return last;
    },
    stamp: lastStamp,
  };
}

export const said = (r: TurnResult) => r.replies.map((x) => x.text).join('\n');
export const offered = (r: TurnResult) => r.replies.flatMap((x) => x.choices ?? []).map((c) => c.id);
