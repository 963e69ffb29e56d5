/**
 * The slash commands: `/safestep` (a topic that opens a flow, or text to check; answered so only
 * the person sees it) and `/safestep-card` (moderators post a public card about the bot, with no
 * personal data). `safestep discord register [--guild ID]` registers them.
 */
import { PermissionFlagsBits, REST, Routes } from 'discord.js';
import type { Bundle } from '../../src/index.ts';
import { restOptions } from './api-root.ts';

export const COMMAND = 'safestep';
export const CARD_COMMAND = 'safestep-card';
/** The adapter's own buttons (engine choice ids never hold `dc:`): move to DMs; start from the card. */
export const DM_CHOICE = 'dc:dm';
export const CARD_CHOICE = 'dc:card';
/** Discord allows 25 choices for an option. */
const MAX_CHOICES = 25;

export function commandDefinitions(bundle: Bundle): object[] {
  const zh = (t: Record<string, string>) => t['zh-CN'] ?? t.en ?? '';
  const topics = [...bundle.flows.values()]
    .filter((f) => f.listed && f.id !== bundle.config.entry)
    .slice(0, MAX_CHOICES)
    .map((f) => ({ name: f.title.en ?? f.id, name_localizations: { 'zh-CN': zh(f.title) }, value: f.id }));
  return [
    {
      name: COMMAND,
      type: 1,
      description: 'Check privately whether something is a scam, and find a safe next step',
      description_localizations: { 'zh-CN': '私下核实一件事是不是骗局，并找到安全的下一步' },
      contexts: [0, 1],
      options: [
        {
          type: 3,
          name: 'topic',
          description: 'What it is about',
          description_localizations: { 'zh-CN': '是关于什么的' },
          required: false,
          choices: topics,
        },
        {
          type: 3,
          name: 'text',
          description: 'A message you received and want checked',
          description_localizations: { 'zh-CN': '你收到、想核实的消息' },
          required: false,
          max_length: 2000,
        },
      ],
    },
    {
      name: CARD_COMMAND,
      type: 1,
      description: 'Post a card that tells members how to reach SafeStep privately',
      description_localizations: { 'zh-CN': '发布一张卡片，告诉成员如何私下使用 SafeStep' },
      default_member_permissions: String(PermissionFlagsBits.ManageGuild),
      contexts: [0],
    },
  ];
}

export interface RegisterOptions {
  token: string;
  applicationId: string;
  apiRoot?: string;
  /** Register in one server only (instant); global registration otherwise. */
  guildId?: string;
  bundle: Bundle;
}

export async function registerCommands(opts: RegisterOptions): Promise<number> {
  const rest = new REST(restOptions(opts.apiRoot)).setToken(opts.token);
  const route = opts.guildId
    ? Routes.applicationGuildCommands(opts.applicationId, opts.guildId)
    : Routes.applicationCommands(opts.applicationId);
  const body = commandDefinitions(opts.bundle);
  await rest.put(route, { body });
  return body.length;
}
