import { describe, expect, it } from 'vitest';
import { CredentialCipher } from './credential-cipher.ts';

const secret = 'x'.repeat(40);

describe('CredentialCipher', () => {
  it('round-trips, with a fresh IV every time and no plaintext in the ciphertext', () => {
    const c = CredentialCipher.fromSecrets(secret);
    const a = c.encrypt('sk-upstream-123', 'route-1');
    const b = c.encrypt('sk-upstream-123', 'route-1');
    expect(a).not.toBe(b);
    expect(a).not.toContain('sk-upstream');
    expect(c.decrypt(a, 'route-1')).toBe('sk-upstream-123');
  });

  it('refuses another route id (AAD), another key, and tampering', () => {
    const c = CredentialCipher.fromSecrets(secret);
    const stored = c.encrypt('sk-upstream-123', 'route-1');
    expect(() => c.decrypt(stored, 'route-2')).toThrow();
    expect(() => CredentialCipher.fromSecrets('y'.repeat(40)).decrypt(stored, 'route-1')).toThrow();
    expect(() =>
      CredentialCipher.fromSecrets(secret, 'dedicated').decrypt(stored, 'route-1'),
    ).toThrow();
    const parts = stored.split(':');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => c.decrypt(parts.join(':'), 'route-1')).toThrow();
  });

  it('a dedicated key works on its own', () => {
    const c = CredentialCipher.fromSecrets(secret, 'a dedicated key');
    expect(c.decrypt(c.encrypt('k', 'r'), 'r')).toBe('k');
  });
});
