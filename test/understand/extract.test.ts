import { describe, expect, it } from 'vitest';
import { findAmounts } from '../../src/understand/amounts.ts';
import { findLinks, type LinkRules } from '../../src/understand/links.ts';
import { findPhones } from '../../src/understand/phones.ts';
import { base58Check, findWallets, isBech32 } from '../../src/understand/wallets.ts';

const rules: LinkRules = {
  shorteners: new Set(['bit.ly', 't.cn']),
  brands: new Map([
    ['paypal', new Set(['paypal.com'])],
    ['amazon', new Set(['amazon.com', 'amazon.co.uk'])],
    ['dhl', new Set(['dhl.com'])],
  ]),
};
const linkFlags = (text: string) => findLinks(text, rules).flatMap((l) => l.flags);

describe('links', () => {
  it('finds links with or without a scheme and gives their registrable domain', () => {
    expect(
      findLinks('see https://shop.example.co.uk/a?b=1 and example.org.', rules).map((l) => l.domain),
    ).toEqual(['example.co.uk', 'example.org']);
  });
  it('flags URL shorteners', () => {
    expect(linkFlags('open https://bit.ly/3xYz now')).toEqual(['link_shortener']);
    expect(linkFlags('点这里t.cn/A6x')).toEqual(['link_shortener']);
  });
  it('flags punycode and hosts typed in look-alike letters', () => {
    expect(linkFlags('log in at http://xn--pypal-4ve.com/login')).toEqual(['punycode_domain']);
    expect(linkFlags('log in at https://pаypal.com')).toEqual(['punycode_domain']); // Cyrillic а
  });
  it('flags look-alikes of brands, and leaves the brands themselves alone', () => {
    expect(linkFlags('verify at paypa1-secure.com')).toEqual(['lookalike_domain']);
    expect(linkFlags('https://paypal.com.account-check.xyz/login')).toEqual(['lookalike_domain']);
    expect(linkFlags('track at dhl-parcel.info')).toEqual(['lookalike_domain']);
    expect(linkFlags('https://amazon-refund.net')).toEqual(['lookalike_domain']);
    expect(linkFlags('pay on https://www.paypal.com and amazon.co.uk')).toEqual([]);
    expect(linkFlags('my blog at adhlsomething.com')).toEqual([]);
  });
  it('flags links to bare IP addresses, not version numbers', () => {
    expect(linkFlags('go to http://185.23.4.9/pay')).toEqual(['ip_address_link']);
    expect(linkFlags('update to version 1.2.3.4 of the app')).toEqual([]);
  });
  it('does not take e-mail addresses or abbreviations for links', () => {
    expect(findLinks('mail me at jo@gmail.com, e.g. tomorrow', rules)).toEqual([]);
  });
});

describe('phone numbers', () => {
  it('reads international numbers and their country', () => {
    expect(findPhones('call +855 12 345 678 now')).toEqual([
      { match: '+855 12 345 678', country: 'KH', callingCode: '855' },
    ]);
    expect(findPhones('WhatsApp 0095 9 123 456 789')[0]).toMatchObject({ callingCode: '95' });
    expect(findPhones('老挝号码+856 20 5555 1234')[0]).toMatchObject({ callingCode: '856' });
    expect(findPhones('ring +44 20 7946 0958')[0]).toMatchObject({ country: 'GB', callingCode: '44' });
  });
  it('reads local numbers only when the region is known', () => {
    expect(findPhones('打13812345678')).toEqual([]);
    expect(findPhones('打13812345678', 'CN')[0]).toMatchObject({ country: 'CN', callingCode: '86' });
    expect(findPhones('ring 020 7946 0958', 'UK')[0]).toMatchObject({ country: 'GB' });
  });
  it('does not take prices, dates or short numbers for phone numbers', () => {
    expect(findPhones('pay 300 a day, 5,000,000 total, on 2024-11-28', 'CN')).toEqual([]);
  });
});

describe('wallet addresses', () => {
  const valid = {
    bech32: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
    taproot: 'bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297',
    legacy: '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2',
    p2sh: '3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy',
    eth: '0x52908400098527886E0F7030069857D2E4169EE7',
    tron: 'TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL',
  };
  it('finds Bitcoin, Ethereum and TRON addresses', () => {
    const found = findWallets(`send to ${Object.values(valid).join(' or ')}`);
    expect(found.map((w) => w.chain)).toEqual(['btc', 'btc', 'btc', 'btc', 'eth', 'tron']);
  });
  it('checks checksums, so a mistyped address or a random string is not a wallet', () => {
    expect(base58Check(valid.legacy)).toBe(true);
    expect(base58Check('1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3')).toBe(false);
    expect(isBech32(valid.bech32)).toBe(true);
    expect(isBech32('bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx')).toBe(false);
    expect(findWallets('order 1234567890123456789012345678 and TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeM')).toEqual(
      [],
    );
  });
});

describe('amounts', () => {
  const amounts = (text: string) => findAmounts(text).map((a) => `${a.match}${a.crypto ? ' (crypto)' : ''}`);
  it('finds sums with currency signs, codes and words, in English and Chinese', () => {
    expect(amounts('I sent 5,000 USDT and ¥3000')).toEqual(['5,000 USDT (crypto)', '¥3000']);
    expect(amounts('RM 500 deposit, HK$4m, pay £1.45, 3000$ salary, 2500 usd a month')).toEqual([
      'RM 500',
      'HK$4m',
      '£1.45',
      '3000$',
      '2500 usd',
    ]);
    expect(amounts('转了5万，月薪两万块，交了3千元，充值500u')).toEqual([
      '5万',
      '两万块',
      '3千元',
      '500u (crypto)',
    ]);
  });
  it('leaves plain numbers alone', () => {
    expect(amounts('room 5, in 2024, version 1.2.3, 3 times a week')).toEqual([]);
  });
});
