import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadUnderstanding } from '../../src/understand/load.ts';
import { normalize } from '../../src/understand/normalize.ts';
import { withinOneEdit } from '../../src/understand/typos.ts';

const FLOWS = join(import.meta.dirname, '..', '..', 'flows');
const { understanding, problems } = loadUnderstanding(FLOWS);
const analyze = (text: string) => understanding.analyze(text, { locale: 'en' });
const top = (text: string) => analyze(text).intents[0]?.id;
const flagIds = (text: string) => analyze(text).flags.map((f) => f.id);

describe('normalisation', () => {
  it('folds width, case, Traditional characters and invisible characters', () => {
    expect(normalize('ＵＳＤＴ  Safe\u200bAccount')).toBe('usdt safeaccount');
    expect(normalize('詐騙 轉帳 護照')).toBe('诈骗 转账 护照');
  });
  it('tolerates one typo', () => {
    expect(withinOneEdit('recruter', 'recruiter')).toBe(true);
    expect(withinOneEdit('invesment', 'investment')).toBe(true);
    expect(withinOneEdit('recieve', 'receive')).toBe(true);
    expect(withinOneEdit('salary', 'sugary')).toBe(false);
  });
});

describe('the understanding data', () => {
  it('loads without problems', () => expect(problems).toEqual([]));
});

describe('danger is caught in any language and form', () => {
  for (const text of [
    'they took my passport and I cannot leave',
    'THEY TOOK MY PASSPORT',
    '我被扣在园区出不来',
    '我被扣在園區出不來',
    'my brother is being held, they want ransom',
    'i dont want to live anymore',
    'the boss beat me when I refused',
    '他们逼我打诈骗电话',
  ]) {
    it(text, () => expect(analyze(text).danger.length).toBeGreaterThan(0));
  }
  it('does not see danger in an ordinary question', () => {
    expect(analyze('is this job offer real?').danger).toEqual([]);
  });
});

describe('intents', () => {
  it('routes typical first messages', () => {
    expect(top('I got a job offer abroad with a high salary')).toBe('job-offer');
    expect(top('有人说我涉嫌洗钱要转到安全账户')).toBe('impersonation');
    expect(top('I got a recruter message for a job in cambodia')).toBe('job-offer');
    expect(top('my mentor says this crypto platform has guaranteed returns')).toBe('investment');
    expect(top('贷款秒批但要先交手续费')).toBe('loan');
  });
  it('takes the longest answer: "not paid" is not "paid", 没有 is not 有', () => {
    expect(top('not paid yet')).toBe('not_paid');
    expect(top('没有')).toBe('no');
    expect(top('有')).toBe('yes');
  });
  it('does not read short answers into long stories', () => {
    const ids = analyze('有一个人在网上说可以带我投资，他说稳赚不赔，我还没有决定要不要投').intents.map(
      (i) => i.id,
    );
    expect(ids).not.toContain('yes');
  });
});

describe('red flags in text', () => {
  it('finds key phrases', () => {
    expect(flagIds('they want me to move it to a safe account')).toContain('safe_account');
    expect(flagIds('先交培训费和押金')).toContain('pay_to_work');
  });
  it('finds shortened, punycode and look-alike links', () => {
    expect(flagIds('open https://bit.ly/3xYz now')).toContain('link_shortener');
    expect(flagIds('log in at http://xn--pypal-4ve.com/login')).toContain('punycode_domain');
    expect(flagIds('verify at paypa1-secure.com')).toContain('lookalike_domain');
    expect(flagIds('pay on https://www.paypal.com')).toEqual([]);
  });
  it('knows numbers from scam-compound countries', () => {
    expect(flagIds('call the recruiter on +855 12 345 678')).toContain('risky_phone_country');
    expect(flagIds('call me on +44 20 7946 0958')).not.toContain('risky_phone_country');
  });
  it('finds crypto wallet addresses', () => {
    for (const w of [
      'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
      '0x52908400098527886E0F7030069857D2E4169EE7',
      'TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL',
    ]) {
      expect(flagIds(`send to ${w}`)).toContain('crypto_wallet_address');
    }
  });
  it('keeps amounts, links, numbers and wallets as details for the evidence summary', () => {
    const kinds = (
      analyze('I sent 5,000 USDT and ¥3000 to +855 12 345 678 via https://bit.ly/x').entities ?? []
    ).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['amount', 'phone', 'link']));
  });
});

describe('answers in flows', () => {
  const ids = (text: string) => analyze(text).intents.map((i) => i.id);
  it('reads a reply as a whole, and the first clause of a longer one', () => {
    expect(ids('yes')).toContain('yes');
    expect(ids('no, they only asked for my name and which city I live in, nothing else')).toContain('no');
    expect(ids('有，他们让我先交押金')).toContain('yes');
    expect(ids('已经转了')).toContain('paid');
    expect(ids('还没转')).toContain('not_paid');
  });
  it('does not take a story for an answer', () => {
    expect(ids('有人说我涉嫌洗钱要转到安全账户')).not.toContain('yes');
    expect(ids('我下周开始新工作了 有点紧张')).not.toContain('yes');
    expect(ids('no one called me back about the job offer in thailand yet')).not.toContain('no');
    expect(ids('they want me to move it to a safe account')).not.toContain('safe');
  });
});

describe('when two flows fit', () => {
  it('money already gone goes to money-lost first, whatever the scam', () => {
    expect(top('I already sent 2000 usdt to the trading platform and now I cannot withdraw')).toBe(
      'money-lost',
    );
  });
  it('a "job" of liking videos is a task scam', () => {
    expect(top('a recruiter on WhatsApp offers 300 a day for liking videos')).toBe('task-scam');
  });
  it('a single ordinary word is not enough to pick a flow', () => {
    expect(analyze('my new job starts on monday').intents.every((i) => i.score < 0.5)).toBe(true);
  });
});

describe('the flags it raises', () => {
  it('names sums of money, crypto apart', () => {
    expect(flagIds('they want ¥3000 first')).toContain('money_amount');
    expect(flagIds('deposit 500 USDT to unlock')).toContain('amount_in_crypto');
  });
  it('raises only flags that flows/flags/ defines and explains', () => {
    const defined = new Set(
      readdirSync(join(FLOWS, 'flags')).flatMap((f) =>
        Object.keys(parse(readFileSync(join(FLOWS, 'flags', f), 'utf8'))),
      ),
    );
    const loaded = loadUnderstanding(FLOWS);
    expect(loaded.flagIds.filter((id) => !defined.has(id))).toEqual([]);
  });
});

describe('danger in the words people really use', () => {
  for (const text of [
    'i dont see the point anymore after losing everything',
    '老闆說我想走就要賠五萬 不然把我賣去別的公司',
    '我现在在 Myawaddy，passport 被收了',
    'they took our phones and the gate is locked',
    'SOS',
  ]) {
    it(text, () => expect(analyze(text).danger.length).toBeGreaterThan(0));
  }
  it('does not take the virtual-kidnapping script for someone held', () => {
    expect(analyze('自称大使馆的人让我拍自己被绑的视频，说是声话对比').danger).toEqual([]);
  });
});

describe('details for the evidence summary', () => {
  it('reads no amount or phone number inside a link', () => {
    const a = analyze('Royal Mail: pay £1.99 at https://bit.ly/3Rm4x');
    expect(a.flags.filter((f) => f.kind === 'amount').map((f) => f.match)).toEqual(['£1.99']);
  });
});
