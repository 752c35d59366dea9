import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../../../schema/entities/user.entity.ts';
import { deriveKey, safeEqual } from './crypto.ts';

/**
 * The first-run setup token: an HMAC of the process secret, so every server process (and every
 * restart) prints the same link without storing anything. It is only honoured while no admin exists.
 */
export function setupToken(secret: string): string {
  return deriveKey(secret, 'first-run-setup').toString('base64url');
}

export function isValidSetupToken(secret: string, token: string): boolean {
  return safeEqual(token, setupToken(secret));
}

export async function adminExists(em: EntityManager): Promise<boolean> {
  return (await em.count(User, { role: 'admin' })) > 0;
}

/**
 * `<publicUrl>/setup?token=<t>` while the installation has no admin; null afterwards. There is no
 * default password: whoever can read the server's log (the operator) creates the first admin.
 */
export async function firstRunSetupUrl(
  em: EntityManager,
  secret: string,
  publicUrl: string,
): Promise<string | null> {
  if (await adminExists(em)) return null;
  const url = new URL('/setup', publicUrl);
  url.searchParams.set('token', setupToken(secret));
  return url.toString();
}
