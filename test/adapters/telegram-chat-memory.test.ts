/**
 * What the adapter remembers of a chat's screen: recent messages for a quick hide, the live
 * keyboard, and which chats are dropped first when too many are remembered.
 */
import { describe, expect, it } from 'vitest';
import { ChatMemory } from '../../adapters/telegram/chat-memory.ts';

describe('ChatMemory', () => {
  it('hands back the recent messages still deletable, in order, once', () => {
    let t = 0;
    const memory = new ChatMemory(10, () => t);
    memory.remember(1, 10);
    t = 49 * 3_600_000; // 49 hours later: message 10 can no longer be deleted
    memory.remember(1, 11);
    memory.remember(1, 12);
    memory.setLiveKeyboard(1, 12);
    expect(memory.takeRecent(1)).toEqual([11, 12]);
    expect(memory.takeRecent(1)).toEqual([]);
    expect(memory.liveKeyboard(1)).toBeUndefined();
  });

  it('keeps the last 100 messages of a chat', () => {
    const memory = new ChatMemory(10, () => 0);
    for (let id = 1; id <= 150; id++) memory.remember(1, id);
    expect(memory.takeRecent(1)).toEqual(Array.from({ length: 100 }, (_, i) => 51 + i));
  });

  it('drops the least recently active chats first', () => {
    const memory = new ChatMemory(4, () => 0);
    for (const chat of [1, 2, 3, 4]) memory.setLiveKeyboard(chat, chat * 10);
    // Chat 1 is active again after three others moved: it goes to the newest end.
    memory.setLiveKeyboard(1, 11);
    memory.setLiveKeyboard(5, 50);
    memory.setLiveKeyboard(6, 60);
    expect(memory.liveKeyboard(2)).toBeUndefined();
    expect(memory.liveKeyboard(3)).toBeUndefined();
    expect(memory.liveKeyboard(1)).toBe(11);
    expect(memory.liveKeyboard(4)).toBe(40);
    expect(memory.liveKeyboard(6)).toBe(60);
  });

  it('forgets a chat entirely', () => {
    const memory = new ChatMemory(4, () => 0);
    memory.remember(1, 5);
    memory.setLiveKeyboard(1, 5);
    memory.forget(1);
    expect(memory.liveKeyboard(1)).toBeUndefined();
    expect(memory.takeRecent(1)).toEqual([]);
  });
});
