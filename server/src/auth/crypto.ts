import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A URL-safe random secret (`bytes` of entropy, base64url). */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Hex SHA-256: how session secrets, API tokens and invitation tokens are stored. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * A key for one purpose, derived from the process secret (HMAC-SHA256), so a leak of one derived key
 * (say, the setup token) never exposes another (the session signing key).
 */
export function deriveKey(secret: string, purpose: string): Buffer {
  return createHmac('sha256', secret).update(`clawloops:${purpose}`).digest();
}

/** Constant-time string comparison; different lengths compare unequal. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids from clients are checked before they reach SQL (a malformed uuid is "not found", not a 500). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
