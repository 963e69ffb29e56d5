/**
 * The few words that belong to Telegram itself rather than to a conversation: the command menu
 * and the note that sends someone from a group to a private chat. Everything a person is told
 * about their situation comes from the engine; these only say where and how to talk.
 */

export type TelegramLocale = 'en' | 'zh-CN';

/** Telegram's language_code is IETF (`zh-hans`, `zh-TW`, `en-GB`): Chinese of any kind → zh-CN. */
export function telegramLocale(code: string | undefined): TelegramLocale {
  return code?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export interface MenuCommand {
  command: string;
  description: Record<TelegramLocale, string>;
}

/** The menu, in the order people need it. Descriptions are 3–256 characters (Bot API). */
export const MENU: readonly MenuCommand[] = [
  { command: 'start', description: { en: 'Start a check', 'zh-CN': '开始核查' } },
  { command: 'help', description: { en: 'How to use SafeStep', 'zh-CN': '使用说明' } },
  { command: 'back', description: { en: 'Undo the last answer', 'zh-CN': '撤回上一个回答' } },
  { command: 'restart', description: { en: 'Start again', 'zh-CN': '重新开始' } },
  { command: 'language', description: { en: 'Change language / 切换语言', 'zh-CN': '切换语言 / Language' } },
  { command: 'emergency', description: { en: 'I am in danger now', 'zh-CN': '我现在有危险' } },
  { command: 'check', description: { en: 'Check a suspicious message', 'zh-CN': '检查一条可疑消息' } },
  {
    command: 'evidence',
    description: { en: 'Summary for the bank or police', 'zh-CN': '给银行或警方的摘要' },
  },
  { command: 'hide', description: { en: 'Quick hide: clear this chat', 'zh-CN': '快速隐藏：清除聊天记录' } },
  {
    command: 'forget',
    description: { en: 'Delete everything stored about me', 'zh-CN': '删除关于我的所有记录' },
  },
];

/** In a group only these make sense: everything else happens in private. */
export const GROUP_MENU: readonly MenuCommand[] = MENU.filter(
  (c) => c.command === 'start' || c.command === 'help',
);

export const GROUP_NOTE: Record<TelegramLocale, { text: string; button: string }> = {
  en: {
    text: "To keep things private, I don't talk about anyone's situation in a group. Tap below to talk to me in a private chat: only you will see it.",
    button: 'Talk in private',
  },
  'zh-CN': {
    text: '为了保护隐私，我不在群里讨论任何人的具体情况。请点下面的按钮和我私聊，只有你能看到。',
    button: '私聊',
  },
};
