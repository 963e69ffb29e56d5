/**
 * Button data: `stamp|choice`, within Discord's 100-character custom_id. The stamp lets the
 * engine recognise a button from an earlier message or another conversation.
 */
export const CUSTOM_ID_LIMIT = 100;
const SEP = '|';

export function encodeCustomId(choice: string, stamp: string | undefined): string | undefined {
  const id = `${stamp ?? ''}${SEP}${choice}`;
  return id.length <= CUSTOM_ID_LIMIT ? id : undefined;
}

export function decodeCustomId(customId: string): { choice: string; stamp?: string } | undefined {
  const i = customId.indexOf(SEP);
  if (i < 0) return undefined;
  const stamp = customId.slice(0, i);
  const choice = customId.slice(i + 1);
  if (!choice) return undefined;
  return stamp ? { choice, stamp } : { choice };
}
