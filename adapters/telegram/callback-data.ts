/**
 * A button's callback_data: `stamp|choice`. The stamp (≤ 12 chars) names the prompt the button
 * belongs to, so the engine can tell a current button from an old or forged one; the choice id is
 * ≤ 40 chars. Telegram allows 64 bytes, so both always fit, and nothing is kept in memory: a
 * button still works after a restart.
 */

export const CALLBACK_DATA_LIMIT = 64;
const STAMP = /^[A-Za-z0-9_-]{1,12}$/;

export interface ButtonPress {
  choice: string;
  stamp?: string;
}

/** undefined when it cannot fit (then the button is left out; typing the label still works). */
export function encodeCallback(choice: string, stamp?: string): string | undefined {
  const data = `${stamp ?? ''}|${choice}`;
  // A UTF-16 unit is at most 3 bytes in UTF-8: short data fits without counting its bytes.
  if (data.length * 3 <= CALLBACK_DATA_LIMIT) return data;
  return Buffer.byteLength(data, 'utf8') <= CALLBACK_DATA_LIMIT ? data : undefined;
}

/** undefined for data this bot did not make. */
export function decodeCallback(data: string | undefined): ButtonPress | undefined {
  if (data === undefined) return undefined;
  const bar = data.indexOf('|');
  if (bar < 0) return undefined;
  const stamp = data.slice(0, bar);
  const choice = data.slice(bar + 1);
  // The choice is the engine's to judge (its own carry a prefix, e.g. `_region:UK`); the stamp is ours.
  if (choice === '' || (stamp !== '' && !STAMP.test(stamp))) return undefined;
  return stamp === '' ? { choice } : { choice, stamp };
}
