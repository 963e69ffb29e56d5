/**
 * The shape of flows/understanding/*.yaml. Files are merged section by section, so authors can
 * split intents, answers, danger words and red-flag phrases across files; an id defined in two
 * files is an error. Patterns themselves are checked by compilePattern (src/understand/pattern.ts).
 */
import { z } from 'zod';
import type { DangerReason } from './types.ts';

export const DANGER_REASONS = [
  'detained',
  'passport_taken',
  'forced_work',
  'threat',
  'ransom',
  'self_harm',
  'in_danger',
] as const satisfies readonly DangerReason[];

/** YAML reads `300` or `yes` unquoted as a number or boolean: a pattern is its text either way. */
const Pattern = z.union([z.string().min(1, 'empty pattern'), z.number(), z.boolean()]).transform(String);
const Patterns = z.array(Pattern);

const IntentPatterns = z.strictObject({
  /** Count twice: phrases that name the situation ("safe account", 刷单). */
  strong: Patterns.default([]),
  /** Count once: words that point at it but also appear elsewhere ("police", 投资). */
  weak: Patterns.default([]),
  /** Count half: everyday words that only point somewhere together with others ("job", 银行). */
  hint: Patterns.default([]),
  /** Intents this one wins over when it has a strong match (money-lost over investment...). */
  outranks: z.array(z.string()).optional(),
});

const Id = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'ids are lower case letters, digits, - and _');

export const UnderstandingFile = z.strictObject({
  /** Flow intents: what a first message (or any free text) is about. Ids are declared by flows. */
  intents: z.record(Id, IntentPatterns).optional(),
  /** Answers flows route on (yes, no, paid...): count only in short replies or at a reply's start. */
  answers: z.record(Id, IntentPatterns).optional(),
  /** Phrases that mean nothing here, listed so the words inside them don't count (是不是 is not 不是). */
  neutral: Patterns.optional(),
  /** Danger words by reason: any match, in any state, opens emergency help. */
  danger: z.partialRecord(z.enum(DANGER_REASONS), Patterns).optional(),
  /** Phrases that contain a danger word but describe something else ("film myself tied up"). */
  not_danger: Patterns.optional(),
  /** Red-flag phrases: flag id (defined in flows/flags/) → patterns. */
  phrases: z.record(Id, Patterns).optional(),
  /** URL shortener domains. */
  shorteners: z.array(z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, 'a domain such as bit.ly')).optional(),
  /** Brand name (as it appears in look-alike domains) → the registrable domains it really owns. */
  brands: z
    .record(
      z.string().regex(/^[a-z0-9]{3,}$/, 'a brand is 3+ lower case letters or digits'),
      z.array(z.string()),
    )
    .optional(),
  /** Country calling codes whose numbers are a warning in themselves. */
  risky_calling_codes: z
    .array(z.union([z.string().regex(/^\d{1,3}$/), z.number()]).transform(String))
    .optional(),
});
export type UnderstandingFile = z.infer<typeof UnderstandingFile>;

export interface IntentData {
  strong: string[];
  weak: string[];
  hint?: string[];
  outranks?: string[];
}

export interface UnderstandingData {
  intents: Record<string, IntentData>;
  answers: Record<string, IntentData>;
  neutral: string[];
  danger: Partial<Record<DangerReason, string[]>>;
  notDanger: string[];
  phrases: Record<string, string[]>;
  shorteners: string[];
  brands: Record<string, string[]>;
  riskyCallingCodes: string[];
}

export function emptyData(): UnderstandingData {
  return {
    intents: {},
    answers: {},
    neutral: [],
    danger: {},
    notDanger: [],
    phrases: {},
    shorteners: [],
    brands: {},
    riskyCallingCodes: [],
  };
}
