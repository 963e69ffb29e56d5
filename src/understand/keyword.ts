/**
 * The embedded understanding: phrases and patterns from flows/understanding/, no network, no
 * model. Danger first (recall over precision), then intents, then red flags in phrases, links,
 * phone numbers and wallet addresses.
 *
 * Intent scores: strong phrases weigh 2, weak ones 1; score = w / (w + 1), so one weak phrase
 * gives 0.5, one strong 0.67, two strong 0.8. The engine routes at 0.5 and asks between flows
 * whose scores are within 80% of the best.
 */
import { findPhoneNumbersInText } from 'libphonenumber-js';
import { parse as parseDomain } from 'tldts';
import type { RiskLevel } from '../engine/types.ts';
import { normalize } from './normalize.ts';
import { PhraseMatcher, withinOneEdit } from './phrases.ts';
import type { UnderstandingData } from './schema.ts';
import type {
  Analysis,
  AnalyzeHint,
  DangerReason,
  Entity,
  IntentScore,
  RedFlagHit,
  Understanding,
} from './types.ts';

/** Answers are short: in a longer message, "有" or "not" is part of a story, not a reply. */
const ANSWER_MAX_CHARS = 40;

const WALLETS: [RegExp, string][] = [
  [/\bbc1[a-z0-9]{25,62}\b/gi, 'btc'],
  [/\b[13][a-km-zA-HJ-NP-Z1-9]{25,34}\b/g, 'btc'],
  [/\b0x[a-fA-F0-9]{40}\b/g, 'eth'],
  [/\bT[1-9A-HJ-NP-Za-km-z]{33}\b/g, 'tron'],
];
const URL =
  /\b(?:https?:\/\/)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,24}|xn--[a-z0-9-]{2,30})(?:\/[^\s<>"'）)】]*)?/gi;
const AMOUNT =
  /(?:(?:us\$|hk\$|s\$|rm|[$¥€£￥])\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:k|m|万|千))?|\d[\d,]*(?:\.\d+)?\s?(?:usdt|usd|btc|eth|rmb|cny|hkd|sgd|aud|gbp|myr|thb|dollars?|pounds?|euros?|bucks|万元|万|千元|元|块|美元|英镑|港币|港元|令吉|泰铢|欧元))/gi;

export interface KeywordOptions {
  /** Flag levels, for the RedFlagHit.level field (from flows/flags/). */
  flagLevel?: (id: string) => RiskLevel;
}

export function createKeywordUnderstanding(
  data: UnderstandingData,
  opts: KeywordOptions = {},
): Understanding {
  const level = opts.flagLevel ?? (() => 'medium' as RiskLevel);
  const weighted = (section: Record<string, { strong: string[]; weak: string[] }>) =>
    Object.entries(section).flatMap(([id, p]) => [
      ...p.strong.map((s): [string, [string, number]] => [s, [id, 2]]),
      ...p.weak.map((s): [string, [string, number]] => [s, [id, 1]]),
    ]);
  const intents = new PhraseMatcher(weighted(data.intents));
  const answers = new PhraseMatcher(weighted(data.answers));
  const danger = new PhraseMatcher(
    Object.entries(data.danger).flatMap(([reason, list]) =>
      (list ?? []).map((p): [string, DangerReason] => [p, reason as DangerReason]),
    ),
  );
  const phrases = new PhraseMatcher(
    Object.entries(data.phrases).flatMap(([id, list]) => list.map((p): [string, string] => [p, id])),
  );
  const shorteners = new Set(data.shorteners.map((s) => s.toLowerCase()));
  const brandDomains = new Map(
    Object.entries(data.brands).map(([b, ds]) => [b, new Set(ds.map((d) => d.toLowerCase()))]),
  );
  const risky = new Set(data.riskyCallingCodes);

  function scoreIntents(text: string, answerable: boolean): IntentScore[] {
    const weights = new Map<string, number>();
    const add = (hits: ReturnType<typeof intents.match>) => {
      for (const h of hits) weights.set(h.value[0], (weights.get(h.value[0]) ?? 0) + h.value[1]);
    };
    add(intents.match(text));
    if (answerable) add(answers.match(text));
    return [...weights]
      .map(([id, w]) => ({ id, score: w / (w + 1) }))
      .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
  }

  function linkFlags(raw: string, flags: RedFlagHit[], entities: Entity[]): void {
    for (const m of raw.matchAll(URL)) {
      const url = m[0];
      const host = url
        .replace(/^https?:\/\//i, '')
        .split('/')[0]!
        .toLowerCase();
      const info = parseDomain(host);
      if (!info.domain || !info.isIcann) continue;
      entities.push({ kind: 'link', match: url });
      const domain = info.domain;
      const label = info.domainWithoutSuffix ?? '';
      if (shorteners.has(domain) || shorteners.has(host)) flags.push(hit('link_shortener', 'link', url));
      if (host.split('.').some((part) => part.startsWith('xn--')))
        flags.push(hit('punycode_domain', 'link', url));
      else if (imitatesBrand(domain, label)) flags.push(hit('lookalike_domain', 'link', url));
    }
  }

  function imitatesBrand(domain: string, label: string): boolean {
    for (const [brand, real] of brandDomains) {
      if (real.has(domain)) return false;
      const parts = label.split(/[-.]/);
      if (
        parts.includes(brand) ||
        parts.some((p) => p.length >= 4 && withinOneEdit(p, brand)) ||
        deLeet(label) === brand
      ) {
        return true;
      }
    }
    return false;
  }

  function phoneFlags(raw: string, flags: RedFlagHit[], entities: Entity[]): void {
    let found: ReturnType<typeof findPhoneNumbersInText> = [];
    try {
      found = findPhoneNumbersInText(raw.slice(0, 2000));
    } catch {
      return;
    }
    for (const p of found) {
      const match = raw.slice(p.startsAt, p.endsAt);
      entities.push({ kind: 'phone', match });
      if (risky.has(p.number.countryCallingCode)) flags.push(hit('risky_phone_country', 'phone', match));
    }
  }

  function hit(id: string, kind: RedFlagHit['kind'], match: string): RedFlagHit {
    return { id, kind, match, level: level(id) };
  }

  return {
    analyze(raw: string, _hint: AnalyzeHint): Analysis {
      const input = raw.length > 4000 ? raw.slice(0, 4000) : raw;
      const text = normalize(input);
      const reasons = new Set<DangerReason>(danger.match(text).map((h) => h.value));
      const flags: RedFlagHit[] = [];
      const entities: Entity[] = [];
      for (const h of phrases.match(text)) flags.push(hit(h.value, 'phrase', h.phrase));
      linkFlags(input, flags, entities);
      phoneFlags(input, flags, entities);
      for (const [re, _chain] of WALLETS) {
        for (const m of input.matchAll(re)) {
          entities.push({ kind: 'wallet', match: m[0] });
          flags.push(hit('crypto_wallet_address', 'wallet', m[0]));
        }
      }
      for (const m of input.matchAll(AMOUNT)) entities.push({ kind: 'amount', match: m[0].trim() });
      return {
        danger: [...reasons],
        intents: scoreIntents(text, answerLength(text) <= ANSWER_MAX_CHARS),
        flags: dedupe(flags),
        entities,
      };
    },
  };
}

function dedupe(flags: RedFlagHit[]): RedFlagHit[] {
  const seen = new Set<string>();
  return flags.filter((f) => {
    const k = `${f.id}\u0000${f.match}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** A Chinese character says about as much as two Latin letters. */
function answerLength(text: string): number {
  return text.length + (text.match(/\p{Script=Han}/gu)?.length ?? 0);
}

/** paypa1 → paypal, g00gle → google: digits that stand in for letters. */
function deLeet(s: string): string {
  return s.replace(/1/g, 'l').replace(/0/g, 'o').replace(/3/g, 'e').replace(/5/g, 's').replace(/\$/g, 's');
}
