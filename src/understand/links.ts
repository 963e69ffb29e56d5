/**
 * Links in a message and what makes one suspicious: a shortener hides the destination; punycode
 * (xn--) can spell a familiar name with letters from another alphabet; a look-alike borrows a
 * brand's name (paypa1.com, paypal.com.secure-login.xyz); a bare IP address has no name at all.
 */
import { parse } from 'tldts';
import { withinOneEdit } from './typos.ts';

export type LinkFlag = 'link_shortener' | 'punycode_domain' | 'lookalike_domain' | 'ip_address_link';

export interface LinkFinding {
  /** The link as written. */
  match: string;
  /** Registrable domain (example.co.uk), or the IP address. */
  domain: string;
  flags: LinkFlag[];
}

export interface LinkRules {
  shorteners: ReadonlySet<string>;
  /** Brand name → the registrable domains that really belong to it. */
  brands: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Latin, Latin-extended, Greek and Cyrillic letters: look-alike hosts use them; CJK text around a link must not join it. */
const L = 'a-z0-9\\u00c0-\\u024f\\u0370-\\u03ff\\u0400-\\u04ff';
const CANDIDATE = new RegExp(
  `(?<![\\w@.-])(?:https?://)?(?:(?:[${L}](?:[${L}-]{0,61}[${L}])?\\.)+[a-z\\u00c0-\\u04ff][${L}-]{1,62}|\\d{1,3}(?:\\.\\d{1,3}){3})(?::\\d{2,5})?(?:[/?#][^\\s<>"'）)】，。]*)?`,
  'giu',
);

export function findLinks(text: string, rules: LinkRules): LinkFinding[] {
  const found: LinkFinding[] = [];
  // A link needs a dot between two word characters; most messages have none.
  if (!/\w\.\w/.test(text)) return found;
  for (const m of text.matchAll(CANDIDATE)) {
    const match = m[0].replace(/[.,;:!?]+$/, '');
    const hasScheme = /^https?:\/\//i.test(match);
    const host = match
      .replace(/^https?:\/\//i, '')
      .split(/[/?#:]/)[0]!
      .toLowerCase();
    const info = parse(host);
    if (info.isIp) {
      // "1.2.3.4" in prose is more often a version or a price than a link: only with a scheme or path.
      if (hasScheme || match.length > host.length)
        found.push({ match, domain: host, flags: ['ip_address_link'] });
      continue;
    }
    if (!info.domain || !info.isIcann || !info.domainWithoutSuffix) continue;
    const domain = toAscii(info.domain);
    const fullHost = toAscii(host);
    const flags: LinkFlag[] = [];
    if (rules.shorteners.has(domain) || rules.shorteners.has(fullHost)) flags.push('link_shortener');
    if (fullHost.split('.').some((label) => label.startsWith('xn--'))) flags.push('punycode_domain');
    else if (imitatesBrand(fullHost, domain, info.publicSuffix ?? '', rules.brands))
      flags.push('lookalike_domain');
    found.push({ match, domain, flags });
  }
  return found;
}

/**
 * A host imitates a brand when a label before its public suffix carries the brand's name, as is or
 * with one typo or digits for letters (paypa1, g00gle), and its registrable domain is not one of
 * the brand's own.
 */
function imitatesBrand(
  host: string,
  domain: string,
  suffix: string,
  brands: ReadonlyMap<string, ReadonlySet<string>>,
): boolean {
  const owned = [...brands.values()].some((d) => d.has(domain) || [...d].some((x) => host.endsWith(`.${x}`)));
  if (owned) return false;
  const labels = host
    .slice(0, host.length - suffix.length)
    .split(/[.-]/)
    .filter(Boolean);
  for (const brand of brands.keys()) {
    for (const label of labels) {
      if (label === brand || deLeet(label) === brand) return true;
      // Short brands (dhl, dbs) hide inside ordinary words; only longer ones are searched for.
      if (
        brand.length >= 5 &&
        (label.includes(brand) || (label.length >= 4 && withinOneEdit(deLeet(label), brand)))
      )
        return true;
    }
  }
  return false;
}

/** paypa1 → paypal, g00gle → google: digits that stand in for letters. */
function deLeet(s: string): string {
  return s.replace(/[10345]/g, (d) => ({ '1': 'l', '0': 'o', '3': 'e', '4': 'a', '5': 's' })[d]!);
}

/** Hosts typed in another script (例子.com) compare by their punycode form. */
function toAscii(host: string): string {
  if (/^[\x00-\x7f]*$/.test(host)) return host;
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return host;
  }
}
