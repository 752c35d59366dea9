import { describe, expect, it } from 'vitest';
import { signSessionProof, verifySessionProof } from './session-proof.ts';

const SECRET = 's'.repeat(40);
const proof = { sessionId: '3f1c1c4e-9a57-4bb0-9a0c-6c9f3b1f0d11', secret: 'row-secret' };

describe('session proofs', () => {
  it('verifies its own proof, again from the cache, and rejects it once expired', async () => {
    const expiresAt = new Date(Date.now() + 60_000);
    const value = await signSessionProof(SECRET, proof, expiresAt);
    expect(await verifySessionProof(SECRET, value)).toEqual(proof);
    expect(await verifySessionProof(SECRET, value)).toEqual(proof); // cached
    expect(await verifySessionProof(SECRET, value, expiresAt.getTime() + 1000)).toBeNull();
  });

  it('rejects a tampered value, another secret, and garbage — cached or not', async () => {
    const value = await signSessionProof(SECRET, proof, new Date(Date.now() + 60_000));
    expect(await verifySessionProof(SECRET, value)).toEqual(proof);
    const [h, p, sig] = value.split('.') as [string, string, string];
    const flipped = `${h}.${p}.${sig.slice(0, -2)}${sig.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(await verifySessionProof(SECRET, flipped)).toBeNull();
    expect(await verifySessionProof('t'.repeat(40), value)).toBeNull();
    expect(await verifySessionProof(SECRET, 'not-a-jwt')).toBeNull();
  });

  it('a caller cannot change a cached proof', async () => {
    const value = await signSessionProof(SECRET, proof, new Date(Date.now() + 60_000));
    const first = await verifySessionProof(SECRET, value);
    if (first) first.sessionId = 'mutated';
    expect(await verifySessionProof(SECRET, value)).toEqual(proof);
  });
});
