import { jwtVerify, SignJWT } from 'jose';
import { deriveKey } from './crypto.ts';

/** What the session cookie proves: which session, and the secret whose SHA-256 the row stores. */
export interface SessionProof {
  sessionId: string;
  secret: string;
}

const AUDIENCE = 'clawloops:session';
const keys = new Map<string, Uint8Array>();

/** The HS256 key for session proofs, derived once per process secret. */
function signingKey(secret: string): Uint8Array {
  let key = keys.get(secret);
  if (!key) {
    key = new Uint8Array(deriveKey(secret, 'session-proof'));
    keys.set(secret, key);
  }
  return key;
}

/**
 * Signs a proof with jose (HS256). The signature lets every process reject forged or tampered cookies
 * without touching the database; the embedded secret still has to match the stored hash.
 */
export function signSessionProof(
  secret: string,
  proof: SessionProof,
  expiresAt: Date,
): Promise<string> {
  return new SignJWT({ sid: proof.sessionId, sec: proof.secret })
    .setProtectedHeader({ alg: 'HS256' })
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(signingKey(secret));
}

/** The proof inside a cookie value, or null when it is forged, malformed or expired. */
export async function verifySessionProof(
  secret: string,
  value: string,
): Promise<SessionProof | null> {
  try {
    const { payload } = await jwtVerify(value, signingKey(secret), {
      algorithms: ['HS256'],
      audience: AUDIENCE,
    });
    const { sid, sec } = payload;
    if (typeof sid !== 'string' || typeof sec !== 'string') return null;
    return { sessionId: sid, secret: sec };
  } catch {
    return null;
  }
}
