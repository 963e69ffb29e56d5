/**
 * DISCORD_API_ROOT as operators type it: `http://127.0.0.1:8080/api/` and `…/api` are the same
 * root (discord.js appends `/v10/...`, and a doubled slash is a different path to a server).
 */
export function apiRootOf(root: string | undefined): string | undefined {
  const trimmed = root?.trim().replace(/\/+$/, '');
  return trimmed ? trimmed : undefined;
}

/** discord.js options for a REST root, or none for Discord itself. */
export function restOptions(root: string | undefined): { api: string } | Record<string, never> {
  const api = apiRootOf(root);
  return api ? { api } : {};
}
