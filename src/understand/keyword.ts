/**
 * The embedded understanding: patterns from flows/understanding/, no network, no model. It runs
 * on every message, so everything is compiled once and one analysis is a single pass over the
 * message's tokens per pattern set (a few microseconds for a short message).
 *
 * - Danger first, recall over precision: every danger pattern that matches gives its reason.
 * - Intents: overlapping matches resolve to the longest ("not paid" beats "paid", 没有 beats 有),
 *   then weights become scores (score.ts): one weak word (or two everyday hints) reaches 0.5,
 *   where the engine routes; it asks with buttons when a runner-up has 75% of the best one's weight.
 *   Answers (yes, no, paid...) count only in a short reply or as the first clause of a longer one.
 * - Red flags: key phrases, links (shorteners, punycode, brand look-alikes, bare IPs), phone
 *   numbers from scam-compound countries, wallet addresses, sums of money (crypto apart).
 */
import type { RiskLevel } from '../engine/types.ts';
import { findAmounts } from './amounts.ts';
import { findLinks, type LinkRules } from './links.ts';
import { normalize, plain, tokenize } from './normalize.ts';
import { compilePattern, PatternMatcher } from './pattern.ts';
import { findPhones } from './phones.ts';
import type { UnderstandingData } from './schema.ts';
import { type IntentValue, NEUTRAL, scoreIntents } from './score.ts';
import type {
  Analysis,
  AnalyzeHint,
  DangerReason,
  Entity,
  RedFlagHit,
  RedFlagKind,
  Understanding,
} from './types.ts';
import { Speller } from './typos.ts';
import { findWallets } from './wallets.ts';

/** Messages longer than this are cut: nobody types more, and analysis must stay cheap. */
const MAX_CHARS = 4000;
const STRONG = 2;
const WEAK = 1;
const HINT = 0.5;

/** Flags this analyser raises from links, numbers, amounts and wallets (defined in flows/flags/text.yaml). */
export const TEXT_FLAGS = [
  'link_shortener',
  'lookalike_domain',
  'punycode_domain',
  'ip_address_link',
  'risky_phone_country',
  'crypto_wallet_address',
  'money_amount',
  'amount_in_crypto',
] as const;

export interface KeywordOptions {
  /** Level of a flag id, for RedFlagHit.level (from flows/flags/). */
  flagLevel?: (id: string) => RiskLevel;
  /** How a pattern compiles; the loader passes the results it already has (load.ts). */
  compile?: typeof compilePattern;
}

export function createKeywordUnderstanding(
  data: UnderstandingData,
  opts: KeywordOptions = {},
): Understanding {
  const level = opts.flagLevel ?? (() => 'medium' as RiskLevel);
  const compile = opts.compile ?? compilePattern;
  const weighted = (section: UnderstandingData['intents'], answer: boolean) =>
    Object.entries(section).flatMap(([id, p]) => [
      ...p.strong.map((pattern) => ({ pattern, value: { id, weight: STRONG, answer } })),
      ...p.weak.map((pattern) => ({ pattern, value: { id, weight: WEAK, answer } })),
      ...(p.hint ?? []).map((pattern) => ({ pattern, value: { id, weight: HINT, answer } })),
    ]);
  // Intents and answers share one matcher so the longest phrase wins across both ("safe account" is not "safe").
  const intents = new PatternMatcher<IntentValue>(
    [
      ...weighted(data.intents, false),
      ...weighted(data.answers, true),
      ...data.neutral.map((pattern) => ({ pattern, value: { id: NEUTRAL, weight: 0, answer: false } })),
    ],
    compile,
  );
  const danger = new PatternMatcher<DangerReason>(
    Object.entries(data.danger).flatMap(([reason, list]) =>
      (list ?? []).map((pattern) => ({ pattern, value: reason as DangerReason })),
    ),
    compile,
  );
  const notDanger = new PatternMatcher<true>(
    data.notDanger.map((pattern) => ({ pattern, value: true as const })),
    compile,
  );
  const phrases = new PatternMatcher<string>(
    Object.entries(data.phrases).flatMap(([id, list]) => list.map((pattern) => ({ pattern, value: id }))),
    compile,
  );
  const speller = new Speller(
    [...intents.words(), ...danger.words(), ...notDanger.words(), ...phrases.words()],
    [...intents.stems(), ...danger.stems(), ...phrases.stems()],
  );
  const linkRules: LinkRules = {
    shorteners: new Set(data.shorteners.map((s) => s.toLowerCase())),
    brands: new Map(
      Object.entries(data.brands).map(([b, ds]) => [b, new Set(ds.map((d) => d.toLowerCase()))]),
    ),
  };
  const risky = new Set(data.riskyCallingCodes);
  const outranks = new Map(
    Object.entries(data.intents).flatMap(([id, d]) =>
      d.outranks?.length ? [[id, d.outranks] as const] : [],
    ),
  );

  const hit = (id: string, kind: RedFlagKind, match: string): RedFlagHit => ({
    id,
    kind,
    match,
    level: level(id),
  });

  return {
    analyze(raw: string, hint: AnalyzeHint): Analysis {
      const input = plain(raw.length > MAX_CHARS ? raw.slice(0, MAX_CHARS) : raw);
      const text = normalize(input);
      const tokens = speller.correct(tokenize(text));

      const excused = notDanger.match(tokens, false);
      const reasons = new Set(
        danger
          .match(tokens, false)
          .filter((h) => !excused.some((x) => x.first <= h.first && h.last <= x.last))
          .map((h) => h.value),
      );

      const flags: RedFlagHit[] = [];
      const entities: Entity[] = [];
      for (const h of phrases.match(tokens, true))
        flags.push(hit(h.value, 'phrase', text.slice(h.start, h.end)));
      const links = findLinks(input, linkRules);
      const wallets = findWallets(input);
      // Digits inside a link or a wallet address are neither a phone number nor an amount.
      const inside = (m: string) => [...links, ...wallets].some((x) => x.match.includes(m));
      for (const link of links) {
        entities.push({ kind: 'link', match: link.match });
        for (const f of link.flags) flags.push(hit(f, 'link', link.match));
      }
      for (const phone of findPhones(input, hint.region)) {
        if (inside(phone.match)) continue;
        entities.push({ kind: 'phone', match: phone.match });
        if (risky.has(phone.callingCode)) flags.push(hit('risky_phone_country', 'phone', phone.match));
      }
      for (const w of wallets) {
        entities.push({ kind: 'wallet', match: w.match });
        flags.push(hit('crypto_wallet_address', 'wallet', w.match));
      }
      for (const a of findAmounts(input)) {
        if (inside(a.match)) continue;
        entities.push({ kind: 'amount', match: a.match });
        flags.push(hit(a.crypto ? 'amount_in_crypto' : 'money_amount', 'amount', a.match));
      }
      // A red flag, a sum, a link or a number says the message is about a possible scam.
      const scored = scoreIntents(intents.match(tokens, false), text, tokens, outranks, flags.length > 0);
      return { danger: [...reasons], intents: scored, flags: dedupe(flags), entities };
    },
  };
}

/** One hit per flag id and fragment: the same phrase twice is one finding. */
function dedupe(flags: RedFlagHit[]): RedFlagHit[] {
  const seen = new Set<string>();
  return flags.filter((f) => {
    const k = `${f.id}\u0000${f.match}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
