/**
 * Typed fallbacks for buttons: "1", "abroad", "Abroad ", "国外", "１" all pick the same choice.
 * Matching ignores case, width (full-width digits and letters), spacing and punctuation.
 */
import type { ChoiceView } from './types.ts';

export function fold(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}\u200b-\u200f\u2060\ufeff]+/gu, '');
}

/** The choice a typed text names, by its number or its label; undefined when none does. */
export function matchChoice(text: string, choices: readonly ChoiceView[]): ChoiceView | undefined {
  const typed = fold(text);
  if (typed === '') return undefined;
  if (/^\d{1,2}$/.test(typed)) return choices[Number(typed) - 1];
  return choices.find((c) => fold(c.label) === typed || fold(c.id) === typed);
}

/** Han characters mark a message as Chinese when the user has not picked a language. */
export function looksChinese(text: string): boolean {
  const han = text.match(/\p{Script=Han}/gu)?.length ?? 0;
  const latin = text.match(/[A-Za-z]/g)?.length ?? 0;
  return han > 0 && han * 3 >= latin;
}
