import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Upstream credentials at rest: AES-256-GCM with a random 96-bit IV and the route id as additional
 * authenticated data, so a ciphertext copied onto another route fails to decrypt. Stored as
 * `v1:<iv>:<tag>:<ciphertext>` (base64url). The key is `MODEL_CREDENTIAL_KEY` when set (any string;
 * hashed to 32 bytes) or HKDF-derived from `CLAWLOOPS_SECRET` for this one purpose.
 */
export class CredentialCipher {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('credential key must be 32 bytes');
    this.key = key;
  }

  /** @param dedicatedKey `MODEL_CREDENTIAL_KEY`, when set; otherwise derived from `secret`. */
  static fromSecrets(secret: string, dedicatedKey?: string): CredentialCipher {
    if (dedicatedKey)
      return new CredentialCipher(createHash('sha256').update(dedicatedKey).digest());
    const derived = hkdfSync('sha256', secret, 'clawloops', 'model-credential:v1', 32);
    return new CredentialCipher(Buffer.from(derived));
  }

  encrypt(plaintext: string, routeId: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(routeId));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const b = (x: Buffer) => x.toString('base64url');
    return `v1:${b(iv)}:${b(cipher.getAuthTag())}:${b(ct)}`;
  }

  /** Throws when the ciphertext was made with another key or for another route. */
  decrypt(stored: string, routeId: string): string {
    const [version, iv, tag, ct] = stored.split(':');
    if (version !== 'v1' || !iv || !tag || ct === undefined)
      throw new Error('unknown credential format');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(routeId));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(ct, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  }
}
