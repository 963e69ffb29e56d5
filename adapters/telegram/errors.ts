/**
 * What a failed Bot API call means for the send queue. telegraf rejects with a TelegramError
 * (`code`, `description`, `parameters.retry_after`) for answers from the API, including 5xx, and
 * with node-fetch's FetchError when the network fails.
 */

export type Failure =
  /** 429: Telegram says exactly when to try again; nothing was sent. */
  | { kind: 'retry-after'; ms: number }
  /** 5xx or the network: probably not sent; try again with backoff. */
  | { kind: 'transient' }
  /** 403: the person blocked the bot or left; nothing more can reach this chat. */
  | { kind: 'unreachable' }
  /** 400 and the like: trying again would give the same answer. */
  | { kind: 'permanent'; notModified: boolean; unknownMethod: boolean };

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  description?: unknown;
  parameters?: { retry_after?: unknown };
  on?: { method?: unknown };
}

export function classify(err: unknown): Failure {
  const e = (err ?? {}) as ErrorShape;
  const code = typeof e.code === 'number' ? e.code : undefined;
  if (code === 429) {
    const s = Number(e.parameters?.retry_after);
    return { kind: 'retry-after', ms: Number.isFinite(s) && s > 0 ? s * 1000 : 1000 };
  }
  if (code !== undefined && code >= 500) return { kind: 'transient' };
  if (code === 403) return { kind: 'unreachable' };
  if (code !== undefined) {
    const d = typeof e.description === 'string' ? e.description.toLowerCase() : '';
    return {
      kind: 'permanent',
      notModified: d.includes('not modified'),
      unknownMethod: code === 404 || d.includes('method not found'),
    };
  }
  // No API answer at all: connection refused or reset, timeout, DNS. Worth another try.
  return { kind: 'transient' };
}

/** Safe to log: the API's own code and description, never the payload (it holds the text). */
export function describeError(err: unknown): { code?: number; description?: string; error?: string } {
  const e = (err ?? {}) as ErrorShape;
  if (typeof e.code === 'number') {
    return { code: e.code, ...(typeof e.description === 'string' ? { description: e.description } : {}) };
  }
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const sys = typeof e.code === 'string' ? ` ${e.code}` : '';
  return { error: `${name}${sys}` };
}
