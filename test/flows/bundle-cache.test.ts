/**
 * The parsed-flows cache (src/flow/cache.ts): an unchanged folder loads from it and behaves exactly
 * as when parsed; an edit, a damaged entry or a broken flow all take the long way, and a broken
 * flow still fails with file:line.
 */
import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Bundle, FlowLoadError, formatProblem, loadBundle } from '../../src/index.ts';
import { engineFor, offered, said, tempDir, userOf } from '../engine/helpers.ts';

const FLOWS = join(import.meta.dirname, '..', '..', 'flows');

/** A copy of the real flows, and an empty cache of its own. */
function setup() {
  const root = tempDir();
  const dir = join(root, 'flows');
  cpSync(FLOWS, dir, { recursive: true });
  return { dir, cacheDir: join(root, 'cache') };
}

const entries = (cacheDir: string) => readdirSync(cacheDir).filter((n) => n.endsWith('.json'));

/** Rewrites the one entry's folder JSON, with a matching checksum unless told otherwise. */
function tamper(cacheDir: string, change: (payload: string) => string, resum = true): void {
  const path = join(cacheDir, entries(cacheDir)[0]!);
  const text = readFileSync(path, 'utf8');
  const nl = text.indexOf('\n');
  const header = JSON.parse(text.slice(0, nl)) as { key: string; sum: string };
  const payload = change(text.slice(nl + 1));
  const sum = resum ? createHash('sha256').update(payload).digest('hex') : header.sum;
  writeFileSync(path, `${JSON.stringify({ ...header, sum })}\n${payload}`);
}

async function conversation(bundle: Bundle) {
  const user = userOf(await engineFor({ bundle, rateLimitPerMinute: 0 }), 'u1', {
    locale: 'en',
    region: 'UK',
  });
  const seen: unknown[] = [];
  const note = (r: Awaited<ReturnType<typeof user.text>>) =>
    seen.push({ said: said(r), offered: offered(r), flow: r.flow, state: r.state, risk: r.risk });
  note(await user.text('I was offered a job abroad, they want a visa fee via +855 12 345 678'));
  for (let i = 0; i < 4; i++) {
    const first = offered(user.last!)[0];
    if (!first) break;
    note(await user.press(first));
  }
  note(await user.command('help'));
  return seen;
}

describe('the parsed-flows cache', () => {
  it('an unchanged folder loads from the cache into the same bundle, which behaves the same', async () => {
    const { dir, cacheDir } = setup();
    const parsed = await loadBundle(dir, { cacheDir: false });
    await loadBundle(dir, { cacheDir });
    expect(entries(cacheDir)).toHaveLength(1);
    const cached = await loadBundle(dir, { cacheDir });

    expect(cached.hash).toBe(parsed.hash);
    for (const key of ['config', 'flows', 'steps', 'flags', 'resources', 'sources', 'ui'] as const)
      expect(cached[key], key).toStrictEqual(parsed[key]);
    expect(cached.intentIds).toEqual(parsed.intentIds);
    expect(cached.textFlagIds).toEqual(parsed.textFlagIds);
    expect(cached.warnings).toEqual(parsed.warnings);
    expect(cached.locate('job-offer', ['states', 'jo_kind'])).toEqual(
      parsed.locate('job-offer', ['states', 'jo_kind']),
    );
    expect(cached.locate('job-offer', ['states', 'jo_kind']).line).toBe(37);

    const hint = { locale: 'en', region: 'UK' };
    for (const text of ['they took my passport', 'pay 500 usdt to bit.ly/x', '工作在国外，要交押金']) {
      expect(cached.understanding.analyze(text, hint)).toEqual(parsed.understanding.analyze(text, hint));
    }
    expect(await conversation(cached)).toEqual(await conversation(parsed));
  });

  it('what loads from an unchanged folder is the entry, not the files', async () => {
    const { dir, cacheDir } = setup();
    const title = (await loadBundle(dir, { cacheDir })).flows.get('job-offer')!.title.en!;
    tamper(cacheDir, (p) => p.replace(JSON.stringify(title), JSON.stringify('From the cache')));
    expect((await loadBundle(dir, { cacheDir })).flows.get('job-offer')!.title.en).toBe('From the cache');
  });

  it('editing a flow file misses the cache: the edit loads, with a new hash', async () => {
    const { dir, cacheDir } = setup();
    const before = await loadBundle(dir, { cacheDir });
    const file = join(dir, 'job-offer.yaml');
    const title = before.flows.get('job-offer')!.title.en!;
    writeFileSync(file, readFileSync(file, 'utf8').replace(title, 'Edited job offer'));
    const after = await loadBundle(dir, { cacheDir });
    expect(after.flows.get('job-offer')!.title.en).toBe('Edited job offer');
    expect(after.hash).not.toBe(before.hash);
    expect(entries(cacheDir)).toHaveLength(2);
  });

  it('a damaged or garbage entry is ignored, and rewritten', async () => {
    const { dir, cacheDir } = setup();
    const title = (await loadBundle(dir, { cacheDir })).flows.get('job-offer')!.title.en!;
    // Changed without its checksum: refused, so the files load.
    tamper(cacheDir, (p) => p.replace(JSON.stringify(title), JSON.stringify('Tampered')), false);
    expect((await loadBundle(dir, { cacheDir })).flows.get('job-offer')!.title.en).toBe(title);

    const path = join(cacheDir, entries(cacheDir)[0]!);
    for (const garbage of ['', 'not json at all', '{"key":"x"}\n{}', '\n\n']) {
      writeFileSync(path, garbage);
      expect((await loadBundle(dir, { cacheDir })).flows.get('job-offer')!.title.en).toBe(title);
      expect(readFileSync(path, 'utf8')).not.toBe(garbage);
    }
  });

  it('a broken flow fails with file:line even when its folder was cached, exactly as without a cache', async () => {
    const { dir, cacheDir } = setup();
    await loadBundle(dir, { cacheDir });
    const file = join(dir, 'job-offer.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('next: jo_kind', 'next: no_such_state'));

    const failure = (opts: Parameters<typeof loadBundle>[1]) =>
      loadBundle(dir, opts).then(
        () => expect.fail('a broken flow loaded'),
        (err: unknown) => {
          expect(err).toBeInstanceOf(FlowLoadError);
          return (err as FlowLoadError).problems.map(formatProblem);
        },
      );
    const withCache = await failure({ cacheDir });
    expect(withCache).toEqual(await failure({ cacheDir: false }));
    expect(withCache.join('\n')).toMatch(
      /^flows\/job-offer\.yaml:\d+:\d+ error: unknown target state "no_such_state"/m,
    );
    expect(entries(cacheDir)).toHaveLength(1);
  });

  it('a cache that cannot be written is no cache: the folder still loads', async () => {
    const { dir } = setup();
    const blocked = join(dir, 'safestep.yaml', 'cache');
    const bundle = await loadBundle(dir, { cacheDir: blocked });
    expect(bundle.flows.size).toBeGreaterThan(0);
  });
});
