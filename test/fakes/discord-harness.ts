/**
 * Test harness: the fake Discord, the real discord.js adapter and the real engine on a SQLite file,
 * with helpers to read what the bot showed (content, buttons, flags) from the REST calls it made.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startDiscord } from '../../adapters/discord/index.ts';
import {
  type Bundle,
  createEngine,
  createLogger,
  type Engine,
  loadBundle,
  openStore,
} from '../../src/index.ts';
import { type FakeDiscord, type FakeOptions, type RestCall, startFakeDiscord } from './discord.ts';

export const DISCORD_FLOWS = join(import.meta.dirname, '..', 'fixtures', 'discord-flows');

export interface Shown {
  call: RestCall;
  content: string;
  /** custom_id → label, in order; select menu options as value → label under the menu's custom_id. */
  buttons: Map<string, string>;
  menus: { custom_id: string; options: { label: string; value: string }[] }[];
  flags: number;
}

interface RawComponent {
  type: number;
  custom_id?: string;
  label?: string;
  options?: { label: string; value: string }[];
}

/** What a recorded call showed: a message, an interaction reply or update, a follow-up or an edit. */
export function view(call: RestCall): Shown {
  const body = (call.body ?? {}) as Record<string, unknown>;
  const data = (/\/callback$/.test(call.path) ? (body.data ?? {}) : body) as {
    content?: string;
    components?: { components?: RawComponent[] }[];
    flags?: number;
  };
  const items = (data.components ?? []).flatMap((r) => r.components ?? []);
  return {
    call,
    content: data.content ?? '',
    buttons: new Map(items.filter((c) => c.type === 2).map((c) => [c.custom_id ?? '', c.label ?? ''])),
    menus: items
      .filter((c) => c.type === 3)
      .map((c) => ({ custom_id: c.custom_id ?? '', options: c.options ?? [] })),
    flags: Number(data.flags ?? 0),
  };
}

/** The custom_id of the button with this label (exact string or pattern). */
export function buttonId(shown: Shown, label: string | RegExp): string {
  for (const [id, l] of shown.buttons) if (typeof label === 'string' ? l === label : label.test(l)) return id;
  throw new Error(
    `no button "${label}" among ${[...shown.buttons.values()].map((l) => `"${l}"`).join(', ')}`,
  );
}

/** Collects log lines for assertions (what was logged, and that nothing private was). */
export function logCapture() {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line));
      }
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), lines, raw };
}

export interface HarnessOptions {
  dir?: string;
  fake?: FakeOptions;
  ackWithinMs?: number;
  logger?: ReturnType<typeof createLogger>;
  /** Wraps the real engine, e.g. to hold a turn until the test lets it go. */
  wrap?: (engine: Engine) => Engine;
}

export interface Harness {
  fake: FakeDiscord;
  bundle: Bundle;
  engine: Engine;
  dbFile: string;
  /** Starts the bot (again, after stop: same SQLite file). */
  boot(): Promise<void>;
  stopBot(): Promise<void>;
  close(): Promise<void>;
  /** Index into fake.calls: what happens after now. */
  mark(): number;
  /** The first message shown after `mark` that satisfies the predicate. */
  next(mark: number, pred?: (s: Shown) => boolean, timeoutMs?: number): Promise<Shown>;
  /** Every message shown after `mark`, once the bot is quiet. */
  since(mark: number): Promise<Shown[]>;
}

const bundles = new Map<string, Promise<Bundle>>();

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const dir = opts.dir ?? DISCORD_FLOWS;
  if (!bundles.has(dir)) bundles.set(dir, loadBundle(dir));
  const bundle = await bundles.get(dir)!;
  const fake = await startFakeDiscord(opts.fake);
  const dbFile = join(mkdtempSync(join(tmpdir(), 'safestep-discord-')), 'safestep.db');
  const logger = opts.logger ?? createLogger({ level: process.env.DEBUG_DC ? 'debug' : 'silent' });
  let bot: { stop(): Promise<void> } | undefined;
  let engine: Engine | undefined;
  const isShown = (c: RestCall) => fake.shown().includes(c);

  const h: Harness = {
    fake,
    bundle,
    get engine() {
      return engine!;
    },
    dbFile,
    async boot() {
      const real = createEngine({
        bundle,
        store: await openStore(`sqlite:${dbFile}`),
        logger,
        rateLimitPerMinute: 0,
      });
      engine = opts.wrap ? opts.wrap(real) : real;
      bot = await startDiscord({
        engine,
        logger,
        token: 'test-token',
        applicationId: fake.appId,
        apiRoot: fake.apiRoot,
        ...(opts.ackWithinMs !== undefined ? { ackWithinMs: opts.ackWithinMs } : {}),
      });
    },
    async stopBot() {
      await bot?.stop();
      bot = undefined;
      await engine?.close();
      engine = undefined;
    },
    async close() {
      await h.stopBot();
      await fake.close();
    },
    mark: () => fake.calls.length,
    async next(mark, pred = () => true, timeoutMs = 5000) {
      const call = await fake.waitFor(
        (c) => fake.calls.indexOf(c) >= mark && isShown(c) && pred(view(c)),
        timeoutMs,
      );
      return view(call);
    },
    async since(mark) {
      // Quiet: no new call for a while (the adapter sends a turn's messages back to back).
      let n = -1;
      while (n !== fake.calls.length) {
        n = fake.calls.length;
        await new Promise((r) => setTimeout(r, 150));
      }
      return fake.calls.slice(mark).filter(isShown).map(view);
    },
  };
  await h.boot();
  await fake.ready();
  return h;
}
