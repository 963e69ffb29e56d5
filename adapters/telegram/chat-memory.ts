/**
 * What the adapter remembers about a chat's screen, in memory only: the recent messages (so a
 * quick hide can delete them) and the one message whose buttons are live (so they can be taken
 * away when the conversation moves on). Lost on restart; the engine's stamps still make old
 * buttons harmless then.
 */

/** Telegram lets a bot delete messages up to 48 hours old. */
const DELETABLE_MS = 48 * 3_600_000;
/** deleteMessages takes up to 100 ids. */
const RECENT_LIMIT = 100;

interface ChatScreen {
  recent: { id: number; at: number }[];
  keyboard?: number;
}

export class ChatMemory {
  private readonly chats = new Map<number, ChatScreen>();

  constructor(
    /** Chats remembered at once; the least recently active are dropped first. */
    private readonly capacity = 50_000,
    private readonly now: () => number = Date.now,
  ) {}

  remember(chatId: number, messageId: number): void {
    const c = this.touch(chatId);
    c.recent.push({ id: messageId, at: this.now() });
    if (c.recent.length > RECENT_LIMIT) c.recent.splice(0, c.recent.length - RECENT_LIMIT);
  }

  /** The recent messages that can still be deleted; forgets them. */
  takeRecent(chatId: number): number[] {
    const c = this.chats.get(chatId);
    if (!c) return [];
    const since = this.now() - DELETABLE_MS;
    const ids = c.recent.filter((m) => m.at > since).map((m) => m.id);
    c.recent = [];
    c.keyboard = undefined;
    return ids;
  }

  liveKeyboard(chatId: number): number | undefined {
    return this.chats.get(chatId)?.keyboard;
  }

  setLiveKeyboard(chatId: number, messageId: number | undefined): void {
    this.touch(chatId).keyboard = messageId;
  }

  forget(chatId: number): void {
    this.chats.delete(chatId);
  }

  private touch(chatId: number): ChatScreen {
    let c = this.chats.get(chatId);
    if (c) this.chats.delete(chatId);
    else c = { recent: [] };
    this.chats.set(chatId, c);
    if (this.chats.size > this.capacity) {
      const oldest = this.chats.keys().next().value;
      if (oldest !== undefined) this.chats.delete(oldest);
    }
    return c;
  }
}
