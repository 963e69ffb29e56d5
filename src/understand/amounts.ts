/**
 * Sums of money in a message: "¥3000", "5,000 USDT", "RM 500", "HK$4m", "5万", "两万块", "500u".
 * Crypto amounts are told apart: once sent, crypto is usually gone for good (scam-guidance §1).
 */

export interface AmountFinding {
  match: string;
  crypto: boolean;
}

const NUM = String.raw`\d+(?:[,.]\d+)*`;
const SCALE = String.raw`(?:\s?(?:k|m|w|mil|million|thousand|万|千|百万|亿)(?![a-z]))?`;
const PREFIX = String.raw`(?:us\$|usd\s?|hk\$|s\$|a\$|nt\$|c\$|rm\s?|rmb\s?|php\s?|[$¥€£₱฿₩₹])`;
const FIAT = String.raw`(?:usd|rmb|cny|hkd|sgd|aud|gbp|eur|myr|thb|php|twd|dollars?|bucks|pounds?|euros?|quid|ringgit|baht|pesos?|rupees?|元|块钱|块|美元|美金|英镑|港币|港元|港币|新币|令吉|泰铢|欧元|人民币|台币|比索)`;
const CRYPTO = String.raw`(?:usdt|usdc|btc|eth|trx|bitcoins?|比特币|泰达币|以太坊|u(?![a-z]))`;
const HAN_NUMBER = '[零一二两三四五六七八九十百千]+';

const AMOUNT = new RegExp(
  [
    `(?<![a-z0-9])${PREFIX}\\s?${NUM}${SCALE}`,
    `(?<![a-z0-9.])${NUM}${SCALE}\\s?(?:${CRYPTO}|${FIAT})(?![a-z])`,
    `${NUM}${SCALE}\\s?[$¥€£](?![\\d])`,
    `${NUM}\\s?(?:万|千)(?:元|块)?`,
    `${HAN_NUMBER}(?:万|千)(?:元|块钱|块)?`,
    `${HAN_NUMBER}(?:元|块钱|块)`,
  ].join('|'),
  'gi',
);
const IS_CRYPTO = new RegExp(`${CRYPTO}$`, 'i');

export function findAmounts(text: string): AmountFinding[] {
  const found: AmountFinding[] = [];
  if (!/[\d零一二两三四五六七八九十百千]/.test(text)) return found;
  for (const m of text.matchAll(AMOUNT)) {
    const match = m[0].trim();
    found.push({ match, crypto: IS_CRYPTO.test(match) });
  }
  return found;
}
