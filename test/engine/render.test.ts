/** A state's replies are made once per locale and region; only the stamp is the turn's own. */
import { describe, expect, it } from 'vitest';
import { stateReplies } from '../../src/engine/render.ts';
import { initialContext } from '../../src/flow/context.ts';
import { bundleOf } from './helpers.ts';

describe('stateReplies', () => {
  it('shares frozen buttons between turns and gives each turn its own stamp', async () => {
    const bundle = await bundleOf();
    const ctx = initialContext('en', null);
    const a = stateReplies(bundle, 'job-offer', 'where', ctx, 'AAAA1');
    const b = stateReplies(bundle, 'job-offer', 'where', ctx, 'AAAA2');
    expect(a.replies.at(-1)?.stamp).toBe('AAAA1');
    expect(b.replies.at(-1)?.stamp).toBe('AAAA2');
    expect(b.replies.at(-1)?.choices).toBe(a.replies.at(-1)?.choices);
    expect(Object.isFrozen(a.replies.at(-1)?.choices)).toBe(true);
    expect(a.replies.at(-1)?.choices?.map((c) => c.id)).toEqual(['abroad', 'home']);
    expect(stateReplies(bundle, 'job-offer', 'where', { ...ctx, locale: 'zh-CN' }, 'x').replies[0]?.text).toBe(
      '这份工作在国内还是国外？',
    );
  });

  it('works out guarded buttons from the flags of each turn', async () => {
    const bundle = await bundleOf();
    const ids = (flags: string[]) =>
      stateReplies(bundle, 'job-offer', 'fee', { ...initialContext('en', null), flags }, 's')
        .replies.at(-1)
        ?.choices?.map((c) => c.id);
    expect(ids([])).toEqual(['paid_fee', 'no_fee']);
    expect(ids(['overseas'])).toEqual(['paid_fee', 'no_fee', 'only_abroad']);
    expect(ids([])).toEqual(['paid_fee', 'no_fee']);
  });

  it('asks where the person is at a regional outcome only while the region is unknown', async () => {
    const bundle = await bundleOf();
    const unknown = stateReplies(bundle, 'job-offer', 'high_risk', initialContext('en', null), 's1');
    const known = stateReplies(bundle, 'job-offer', 'high_risk', initialContext('en', 'UK'), 's2');
    expect(unknown.outcome?.level).toBe('high');
    const asked = unknown.replies.length - known.replies.length;
    expect(asked).toBe(1);
    expect(unknown.replies.at(-1)?.stamp).toBe('s1');
    expect(known.replies.at(-1)?.choices?.map((c) => c.id)).toEqual(['_evidence', '_restart']);
  });
});
