/**
 * Telegram refuses a text longer than 4096 characters (counted in UTF-16 code units, as
 * JavaScript counts). Long texts are cut where a reader would pause: a blank line, a line end,
 * a space; never inside a surrogate pair.
 */

export const TEXT_LIMIT = 4096;

export function splitText(text: string, limit = TEXT_LIMIT): string[] {
  const chunks: string[] = [];
  let rest = text.trim();
  while (rest.length > limit) {
    const cut = cutPoint(rest, limit);
    const head = rest.slice(0, cut).trimEnd();
    if (head !== '') chunks.push(head);
    rest = rest.slice(cut).trimStart();
  }
  if (rest !== '') chunks.push(rest);
  return chunks;
}

function cutPoint(text: string, limit: number): number {
  const window = text.slice(0, limit + 1);
  // Prefer the latest natural break that still leaves a reasonably full chunk.
  for (const [sep, minShare] of [
    ['\n\n', 0.5],
    ['\n', 0.3],
    [' ', 0.3],
  ] as const) {
    const at = window.lastIndexOf(sep, limit - sep.length);
    if (at >= limit * minShare) return at + sep.length;
  }
  const code = text.charCodeAt(limit - 1);
  const highSurrogate = code >= 0xd800 && code <= 0xdbff;
  return highSurrogate ? limit - 1 : limit;
}
