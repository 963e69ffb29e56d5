/** Conversations kept decoded: matched by stored version, least recently used dropped first. */
import { describe, expect, it } from 'vitest';
import { LiveSessions } from '../../src/engine/live.ts';
import type { Session } from '../../src/engine/session.ts';

const session = (flow: string) => ({ flow }) as unknown as Session;
const entry = (version: number, flow = 'f') => ({
  version,
  session: session(flow),
  snapshot: undefined,
});

describe('LiveSessions', () => {
  it('gives an entry back only for the version it was saved as', () => {
    const live = new LiveSessions(10);
    live.put('u', entry(3, 'a'));
    expect(live.get('u', 3)?.session.flow).toBe('a');
    expect(live.get('u', 4)).toBeUndefined();
    live.put('u', entry(4, 'b'));
    expect(live.get('u', 4)?.session.flow).toBe('b');
    expect(live.size).toBe(1);
  });

  it('drops the least recently used when full, and keeps nothing with no capacity', () => {
    const live = new LiveSessions(4);
    for (const u of ['a', 'b', 'c', 'd']) live.put(u, entry(1));
    live.put('a', entry(2));
    live.put('e', entry(1));
    live.put('f', entry(1));
    expect(live.get('b', 1)).toBeUndefined();
    expect(live.get('c', 1)).toBeUndefined();
    expect(live.get('a', 2)).toBeDefined();
    expect(live.get('d', 1)).toBeDefined();
    expect(live.size).toBe(4);
    const none = new LiveSessions(0);
    none.put('a', entry(1));
    expect(none.size).toBe(0);
  });
});
