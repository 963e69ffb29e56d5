/**
 * The shape of flows/understanding/*.yaml. Files are merged section by section, so authors can
 * split intents, danger words and red-flag phrases across files.
 */
import { z } from 'zod';

const Phrases = z.array(z.union([z.string().min(1), z.number()]).transform(String));

export const IntentPhrases = z.strictObject({
  strong: Phrases.default([]),
  weak: Phrases.default([]),
});

export const UnderstandingFile = z.strictObject({
  intents: z.record(z.string(), IntentPhrases).optional(),
  answers: z.record(z.string(), IntentPhrases).optional(),
  danger: z
    .record(z.enum(['detained', 'passport_taken', 'forced_work', 'threat', 'ransom', 'self_harm']), Phrases)
    .optional(),
  phrases: z.record(z.string(), Phrases).optional(),
  shorteners: z.array(z.string()).optional(),
  brands: z.record(z.string(), z.array(z.string())).optional(),
  risky_calling_codes: z.array(z.union([z.string(), z.number()]).transform(String)).optional(),
});
export type UnderstandingFile = z.infer<typeof UnderstandingFile>;

export interface UnderstandingData {
  intents: Record<string, { strong: string[]; weak: string[] }>;
  answers: Record<string, { strong: string[]; weak: string[] }>;
  danger: Partial<
    Record<'detained' | 'passport_taken' | 'forced_work' | 'threat' | 'ransom' | 'self_harm', string[]>
  >;
  phrases: Record<string, string[]>;
  shorteners: string[];
  brands: Record<string, string[]>;
  riskyCallingCodes: string[];
}

/** Flags the analyser raises from links, numbers and wallets (defined in flows/flags/text.yaml). */
export const TEXT_FLAGS = [
  'link_shortener',
  'lookalike_domain',
  'punycode_domain',
  'risky_phone_country',
  'crypto_wallet_address',
] as const;
