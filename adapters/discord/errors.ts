/**
 * What a Discord failure was, for one log line: never a request body (it may hold what a person
 * typed) and never an interaction or webhook token (it is a credential for 15 minutes).
 */
export interface ErrorFacts {
  name: string;
  message: string;
  code?: number | string;
  status?: number;
  method?: string;
  route?: string;
}

export function describeError(err: unknown): ErrorFacts {
  const e = (err ?? {}) as {
    name?: unknown;
    message?: unknown;
    code?: unknown;
    status?: unknown;
    method?: unknown;
    url?: unknown;
  };
  const facts: ErrorFacts = {
    name: typeof e.name === 'string' ? e.name : 'Error',
    message: typeof e.message === 'string' ? firstLine(e.message) : String(err),
  };
  if (typeof e.code === 'number' || typeof e.code === 'string') facts.code = e.code;
  if (typeof e.status === 'number') facts.status = e.status;
  if (typeof e.method === 'string') facts.method = e.method.toUpperCase();
  if (typeof e.url === 'string') facts.route = routeOf(e.url);
  return facts;
}

/** `https://…/api/v10/webhooks/1/aW50ZXJhY3Rpb24/messages/@original` → `/webhooks/1/:token/messages/@original`. */
export function routeOf(url: string): string {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url).pathname);
  } catch {
    path = url;
  }
  return path
    .replace(/^\/api(\/v\d+)?/, '')
    .replace(/^(\/(?:webhooks|interactions)\/\d+\/)[^/]+/, '$1:token');
}

/** Discord's "cannot send messages to this user": DMs closed, or no shared server. */
export function isDmClosed(err: unknown): boolean {
  return (err as { code?: unknown })?.code === 50007;
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.slice(0, 200);
}
