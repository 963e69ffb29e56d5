/**
 * Phone numbers in a message, with their country. Numbers written in international form are
 * always found; local ones only when the person's region is known. A number from a country where
 * scam compounds hold people (scam-guidance §2a) is a warning in itself.
 */
import { type CountryCode, findPhoneNumbersInText, isSupportedCountry } from 'libphonenumber-js';

export interface PhoneFinding {
  match: string;
  /** ISO country (KH, MM...), when the number tells. */
  country?: string;
  callingCode: string;
}

/** Our region ids that are not ISO country codes. */
const REGION_COUNTRY: Record<string, string> = { UK: 'GB', 'CN-ABROAD': 'CN' };

export function findPhones(text: string, region?: string): PhoneFinding[] {
  const country = region ? (REGION_COUNTRY[region] ?? region) : undefined;
  const defaultCountry = country && isSupportedCountry(country) ? (country as CountryCode) : undefined;
  try {
    return findPhoneNumbersInText(text, defaultCountry ? { defaultCountry } : undefined).map((p) => ({
      match: text.slice(p.startsAt, p.endsAt),
      ...(p.number.country ? { country: p.number.country } : {}),
      callingCode: p.number.countryCallingCode,
    }));
  } catch {
    return [];
  }
}
