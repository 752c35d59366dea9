import { describe, expect, it } from 'vitest';
import {
  hashPassword,
  usernameKey,
  validatePassword,
  validateUsername,
  verifyPassword,
} from './credentials.ts';

describe('usernames', () => {
  it.each([
    ['alice', true],
    ['A.b_c-9', true],
    ['ab', false],
    ['-alice', false],
    ['al ice', false],
    ['x'.repeat(65), false],
  ])('%s valid: %s', (name, ok) => expect(validateUsername(name).length === 0).toBe(ok));

  it('keys case-insensitively', () => expect(usernameKey('Alice.B')).toBe('alice.b'));
});

describe('password policy', () => {
  it.each([
    ['Passw0rd', 'bob', []],
    ['short1', 'bob', ['must be 8–128 characters long']],
    ['no-digits-here', 'bob', ['must contain a digit']],
    ['12345678', 'bob', ['must contain a letter']],
    ['Bob12345', 'BOB12345', ['must not be the username']],
  ])('%s', (password, username, messages) => {
    expect(validatePassword(password, username).map((e) => e.message)).toEqual(messages);
  });
});

describe('argon2id', () => {
  it('hashes with argon2id and verifies', async () => {
    const hash = await hashPassword('Passw0rd');
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(hash, 'Passw0rd')).toBe(true);
    expect(await verifyPassword(hash, 'Passw0rd!')).toBe(false);
    expect(await verifyPassword(null, 'Passw0rd')).toBe(false);
  });
});
