/**
 * Typed commands ("/start job-offer", "/language zh-CN", "/help@SafeStepBot") → engine commands.
 * Shared by every adapter, so a command means the same everywhere.
 */
import { COMMANDS, type CommandName } from './types.ts';

export interface ParsedCommand {
  command: CommandName;
  arg?: string;
}

export function parseCommand(text: string): ParsedCommand | undefined {
  const m = /^\/([A-Za-z_]+)(?:@\w+)?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!m) return undefined;
  const name = m[1]!.toLowerCase();
  if (!isCommand(name)) return undefined;
  const arg = m[2]?.trim();
  return arg ? { command: name, arg } : { command: name };
}

export function isCommand(name: string): name is CommandName {
  return (COMMANDS as readonly string[]).includes(name);
}
