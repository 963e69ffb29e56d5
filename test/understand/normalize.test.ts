import { describe, expect, it } from 'vitest';
import { normalize, tokenize } from '../../src/understand/normalize.ts';
import { T2S } from '../../src/understand/t2s.ts';

const words = (text: string) => tokenize(normalize(text)).map((t) => t.text);

describe('normalize', () => {
  it('folds full-width letters and digits to half-width, and case', () => {
    expect(normalize('ＵＳＤＴ　５００ ＨＲ')).toBe('usdt 500 hr');
  });
  it('folds Traditional characters to Simplified', () => {
    expect(normalize('詐騙 轉帳 護照被扣 園區出不來 貸款手續費 殺豬盤')).toBe(
      '诈骗 转账 护照被扣 园区出不来 贷款手续费 杀猪盘',
    );
  });
  it('removes zero-width and bidi characters used to split words', () => {
    expect(normalize('safe\u200b acc\u200dount\ufeff 安\u200b全账户')).toBe('safe account 安全账户');
  });
  it('folds curly quotes, dashes and CJK punctuation, and collapses spacing', () => {
    expect(normalize('don’t  —  “safe”\n\n「账户」。')).toBe('don\'t - "safe" "账户".');
  });
  it('has a Traditional table where every entry maps to a different character', () => {
    expect(T2S.size).toBeGreaterThan(500);
    for (const [trad, simp] of T2S) {
      expect([...trad]).toHaveLength(1);
      expect([...simp]).toHaveLength(1);
      expect(simp).not.toBe(trad);
    }
  });
});

describe('tokenize', () => {
  it('splits Han text into characters and keeps English words whole', () => {
    expect(words('我在WhatsApp收到job offer')).toEqual(['我', '在', 'whatsapp', '收', '到', 'job', 'offer']);
  });
  it('drops apostrophes inside words, so "can\'t" and "cant" are the same word', () => {
    expect(words("I can't leave")).toEqual(words('i cant leave'));
  });
  it('splits numbers from letters and keeps thousands together', () => {
    expect(words('sent 5,000usdt and 1.5 btc')).toEqual(['sent', '5000', 'usdt', 'and', '1.5', 'btc']);
  });
  it('keeps positions of the normalised text', () => {
    const text = normalize('call the Police now');
    const police = tokenize(text).find((t) => t.text === 'police')!;
    expect(text.slice(police.start, police.end)).toBe('police');
  });
});
