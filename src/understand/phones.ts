/**
 * Phone numbers in a message, with their country. Numbers in international form (+855…, 00855…)
 * are always read; local ones only when the person's region is known, and only if valid there.
 * A cheap scan finds digit runs first: parsing is slow, and most messages hold no number.
 */
import { createRequire } from 'node:module';
import type { CountryCode } from 'libphonenumber-js';

/**
 * The library and its metadata take longer to import than the rest of the understanding: they
 * load with the first message that has a digit run, not with every start. (Only this module
 * uses the library, so its CommonJS build is the only copy.)
 */
let library: typeof import('libphonenumber-js') | undefined;
const phoneLibrary = () => {
  library ??= createRequire(import.meta.url)('libphonenumber-js') as typeof import('libphonenumber-js');
  return library;
};

export interface PhoneFinding {
  match: string;
  /** ISO country (KH, MM...), when the number tells. */
  country?: string;
  callingCode: string;
}

/** Our region ids that are not ISO country codes. */
const REGION_COUNTRY: Record<string, string> = { UK: 'GB', 'CN-ABROAD': 'CN' };

/** A plus or 00, then digits with the spaces, dashes, dots and brackets people put between them. */
const CANDIDATE = /(?:\+|(?<![\d.])00)?(?<![\d.,])\d[\d\s\-().]{5,22}\d(?![\d.,]\d)/g;

const DATE = /^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})$/;

export function findPhones(text: string, region?: string): PhoneFinding[] {
  const found: PhoneFinding[] = [];
  if (!/\d[\d\s\-().]{5,}\d/.test(text)) return found;
  const { isSupportedCountry, parsePhoneNumberFromString } = phoneLibrary();
  const country = region ? (REGION_COUNTRY[region] ?? region) : undefined;
  const defaultCountry = country && isSupportedCountry(country) ? (country as CountryCode) : undefined;
  for (const m of text.matchAll(CANDIDATE)) {
    const match = m[0].trim();
    if (DATE.test(match)) continue;
    const digits = match.replace(/\D/g, '').length;
    if (digits < 7 || digits > 15) continue;
    const international = match.startsWith('+') || match.startsWith('00');
    if (!international && !defaultCountry) continue;
    const parsed = parsePhoneNumberFromString(
      match.startsWith('00') ? `+${match.slice(2)}` : match,
      international ? undefined : defaultCountry,
    );
    if (!parsed || !(international ? parsed.isPossible() : parsed.isValid())) continue;
    found.push({
      match,
      ...(parsed.country ? { country: parsed.country } : {}),
      callingCode: parsed.countryCallingCode,
    });
  }
  return found;
}
