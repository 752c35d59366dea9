import { jwtVerify, SignJWT } from 'jose';
import { deriveKey } from './crypto.ts';

/** What the session cookie proves: which session, and the secret whose SHA-256 the row stores. */
export interface SessionProof {
  sessionId: string;
  secret: string;
}

const AUDIENCE = 'clawloops:session';
const keys = new Map<string, Uint8Array>();

/**
 * Cookie values already verified, per process secret, with their expiry. Every request through the
 * entrance carries the same cookie, and the HS256 check (WebCrypto, a thread-pool job) was the
 * largest cost of a forward-auth decision. Only verified values are kept: a forged one pays the full
 * check each time. Bounded; revocation is not this cache's business (the session row decides).
 */
const verified = new Map<string, Map<string, { proof: SessionProof; expiresAtMs: number }>>();
const MAX_VERIFIED = 20_000;

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
  now: number = Date.now(),
): Promise<SessionProof | null> {
  const known = verified.get(secret)?.get(value);
  if (known) return known.expiresAtMs > now ? { ...known.proof } : null;
  try {
    const { payload } = await jwtVerify(value, signingKey(secret), {
      algorithms: ['HS256'],
      audience: AUDIENCE,
      currentDate: new Date(now),
    });
    const { sid, sec, exp } = payload;
    if (typeof sid !== 'string' || typeof sec !== 'string' || typeof exp !== 'number') return null;
    const proof = { sessionId: sid, secret: sec };
    remember(secret, value, proof, exp * 1000);
    return { ...proof };
  } catch {
    return null;
  }
}

function remember(secret: string, value: string, proof: SessionProof, expiresAtMs: number): void {
  let bySecret = verified.get(secret);
  if (!bySecret) {
    bySecret = new Map();
    verified.set(secret, bySecret);
  }
  if (bySecret.size >= MAX_VERIFIED) bySecret.clear();
  bySecret.set(value, { proof, expiresAtMs });
}
