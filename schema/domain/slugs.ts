import { createHash } from 'node:crypto';

/**
 * DNS-1123 label for a user's runtime host (`u-<label>.<domain>`). Shared by the server (entrance,
 * "open workspace" URLs) and the orchestrator (allowed origins, IngressRoutes), so it lives here.
 *
 * A label that had to be changed from the lowercase username (characters replaced or truncated) gets a
 * 6-hex hash suffix of the original, so two usernames do not map to the same label by accident. A
 * hashed label is itself a valid username, though, and 6 hex digits can be matched on purpose: the
 * server refuses a new username whose label an existing user has (services/users.ts).
 */
export function userHostLabel(username: string): string {
  const lower = username.toLowerCase();
  const safe = lower
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  const prefix = 'u-';
  const maxBody = 63 - prefix.length;
  if (safe === lower && safe.length > 0 && safe.length <= maxBody) return `${prefix}${safe}`;
  const hash = shortHash(username);
  const body = safe.slice(0, maxBody - hash.length - 1).replace(/-$/, '');
  return body ? `${prefix}${body}-${hash}` : `${prefix}${hash}`;
}

/** First 6 hex chars of SHA-256: stable, collision-unlikely suffix for names. */
export function shortHash(value: string, length = 6): string {
  return createHash('sha256').update(value).digest('hex').slice(0, length);
}

/** Inverse check: is `label` a runtime host label at all (cheap pre-filter for the entrance)? */
export function isUserHostLabel(label: string): boolean {
  return /^u-[a-z0-9]([a-z0-9-]{0,59}[a-z0-9])?$/.test(label);
}
