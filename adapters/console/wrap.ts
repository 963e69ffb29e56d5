/**
 * Wraps text to the terminal's width. East Asian characters take two columns and may break
 * anywhere; other words break at spaces.
 */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += isWide(ch) ? 2 : 1;
  return w;
}

function isWide(ch: string): boolean {
  const c = ch.codePointAt(0)!;
  return (
    (c >= 0x1100 && c <= 0x115f) ||
    (c >= 0x2e80 && c <= 0xa4cf) ||
    (c >= 0xac00 && c <= 0xd7a3) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0xfe30 && c <= 0xfe4f) ||
    (c >= 0xff00 && c <= 0xff60) ||
    (c >= 0xffe0 && c <= 0xffe6) ||
    (c >= 0x1f300 && c <= 0x1faff)
  );
}

export function wrap(text: string, width: number, indent = ''): string {
  const max = Math.max(20, width - displayWidth(indent));
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    // Split into words, keeping each wide character as its own breakable token.
    const tokens = para.match(
      /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|\S+|\s+/gu,
    ) ?? [''];
    for (const tok of tokens) {
      if (displayWidth(line) + displayWidth(tok) > max && line.trim() !== '') {
        out.push(line.trimEnd());
        line = tok.trim() === '' ? '' : tok;
      } else {
        line += tok;
      }
    }
    out.push(line.trimEnd());
  }
  return out.map((l) => indent + l).join('\n');
}
