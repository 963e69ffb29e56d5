/**
 * Crypto wallet addresses: Bitcoin (bech32 bc1…, legacy 1… and 3…), Ethereum-style 0x…, and
 * TRON T… (where most USDT scams ask to be paid). Checksums are verified where the format has one,
 * so a long order number or a random string is not mistaken for a wallet.
 */
import { createHash } from 'node:crypto';

export type Chain = 'btc' | 'eth' | 'tron';

export interface WalletFinding {
  match: string;
  chain: Chain;
}

const CANDIDATES: [RegExp, Chain][] = [
  [/(?<![a-z0-9])(?:bc1|tb1)[02-9ac-hj-np-z]{11,87}(?![a-z0-9])/gi, 'btc'],
  [/(?<![A-Za-z0-9])[13][1-9A-HJ-NP-Za-km-z]{25,34}(?![A-Za-z0-9])/g, 'btc'],
  [/(?<![A-Za-z0-9])0x[a-fA-F0-9]{40}(?![A-Za-z0-9])/g, 'eth'],
  [/(?<![A-Za-z0-9])T[1-9A-HJ-NP-Za-km-z]{33}(?![A-Za-z0-9])/g, 'tron'],
];

export function findWallets(text: string): WalletFinding[] {
  const found: WalletFinding[] = [];
  // Every address format is a run of 26+ letters and digits: most messages have none.
  if (!/[A-Za-z0-9]{26}/.test(text)) return found;
  for (const [re, chain] of CANDIDATES) {
    for (const m of text.matchAll(re)) {
      const match = m[0];
      const valid =
        chain === 'eth'
          ? true
          : match.toLowerCase().startsWith('bc1') || match.toLowerCase().startsWith('tb1')
            ? isBech32(match)
            : base58Check(match, chain === 'tron' ? 0x41 : undefined);
      if (valid) found.push({ match, chain });
    }
  }
  return found;
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** Decodes base58 and checks the 4-byte double-SHA256 checksum (and the version byte if given). */
export function base58Check(s: string, version?: number): boolean {
  let n = 0n;
  for (const ch of s) {
    const d = BASE58.indexOf(ch);
    if (d < 0) return false;
    n = n * 58n + BigInt(d);
  }
  const bytes: number[] = [];
  while (n > 0n) {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  }
  for (const ch of s) {
    if (ch !== '1') break;
    bytes.unshift(0);
  }
  if (bytes.length < 5) return false;
  const payload = Buffer.from(bytes.slice(0, -4));
  const sum = bytes.slice(-4);
  const hash = createHash('sha256').update(createHash('sha256').update(payload).digest()).digest();
  if (sum.some((b, i) => b !== hash[i])) return false;
  return version === undefined || payload[0] === version;
}

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

/** BIP-173/350 checksum (bech32 for segwit v0, bech32m for v1+ such as taproot). */
export function isBech32(address: string): boolean {
  if (address !== address.toLowerCase() && address !== address.toUpperCase()) return false;
  const s = address.toLowerCase();
  const sep = s.lastIndexOf('1');
  if (sep < 1 || s.length - sep < 7) return false;
  const hrp = s.slice(0, sep);
  const data = [...s.slice(sep + 1)].map((c) => CHARSET.indexOf(c));
  if (data.some((d) => d < 0)) return false;
  const values = [
    ...[...hrp].map((c) => c.charCodeAt(0) >> 5),
    0,
    ...[...hrp].map((c) => c.charCodeAt(0) & 31),
    ...data,
  ];
  const check = polymod(values);
  return check === 1 || check === 0x2bc830a3;
}

function polymod(values: number[]): number {
  const GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GEN[i]!;
  }
  return chk >>> 0;
}
