import { type Algorithm, hash, verify } from '@node-rs/argon2';
import type { FieldError } from '../graphql/errors.ts';

/** Username rules: 3–64 chars, starts alphanumeric, then letters, digits, `.`, `_`, `-`. */
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Password policy (predecessor's, minus its hard-coded `admin` default which no longer exists). */
export const PASSWORD_POLICY = {
  minLength: 8,
  maxLength: 128,
  requireLetter: true,
  requireDigit: true,
} as const;

/** The case-insensitive unique key for a username. */
export function usernameKey(username: string): string {
  return username.toLowerCase();
}

export function validateUsername(username: string, path = 'username'): FieldError[] {
  if (username.length < 3 || username.length > 64)
    return [{ path, message: 'must be 3–64 characters long' }];
  if (!USERNAME.test(username)) {
    return [
      {
        path,
        message:
          'may contain only letters, digits, ".", "_" and "-", and must start with a letter or digit',
      },
    ];
  }
  return [];
}

export function validatePassword(
  password: string,
  username: string,
  path = 'password',
): FieldError[] {
  const { minLength, maxLength } = PASSWORD_POLICY;
  const errors: string[] = [];
  if (password.length < minLength || password.length > maxLength)
    errors.push(`must be ${minLength}–${maxLength} characters long`);
  if (!/\p{L}/u.test(password)) errors.push('must contain a letter');
  if (!/\p{Nd}/u.test(password)) errors.push('must contain a digit');
  if (usernameKey(password) === usernameKey(username)) errors.push('must not be the username');
  return errors.map((message) => ({ path, message }));
}

// `Algorithm` is a const enum, which erasable-syntax TypeScript cannot import as a value; 2 = Argon2id.
const ARGON2ID = 2 as Algorithm;
/** OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane). */
const ARGON2_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

let dummyHash: Promise<string> | null = null;

/**
 * Verifies a password against a stored PHC hash. When there is no user (or no hash) it still runs one
 * argon2 verification against a dummy hash, so response time does not reveal which usernames exist.
 */
export async function verifyPassword(
  stored: string | null | undefined,
  password: string,
): Promise<boolean> {
  if (!stored) {
    dummyHash ??= hashPassword('clawloops-dummy-password-1');
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}
