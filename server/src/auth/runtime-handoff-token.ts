import { EncryptJWT, errors, jwtDecrypt } from 'jose';
import { deriveKey, randomSecret } from './crypto.ts';

/** How long a hand-off token lives: long enough for two redirects, short enough to be worthless later. */
export const HANDOFF_TTL_SECONDS = 60;

/** What a hand-off token carries from the app host to one runtime host. */
export interface HandoffClaims {
  /** Single-use id (the seen-set key). */
  jti: string;
  /** The canonical runtime host this token is for (`u-alice.localhost:8080`). */
  audience: string;
  sessionId: string;
  /** The app-host session cookie's value: the runtime host's cookie carries the same proof. */
  proof: string;
  returnPath: string;
  /** Epoch seconds. */
  expiresAt: number;
}

export type OpenedHandoff =
  | { ok: true; claims: HandoffClaims }
  | { ok: false; reason: 'malformed' | 'expired' | 'wrong_audience' };

const ISSUER = 'clawloops:runtime-login';
const keys = new Map<string, Uint8Array>();

function key(secret: string): Uint8Array {
  let k = keys.get(secret);
  if (!k) {
    k = new Uint8Array(deriveKey(secret, 'runtime-handoff'));
    keys.set(secret, k);
  }
  return k;
}

/**
 * Seals a token with jose as a JWE (`dir` + A256GCM, key derived from the process secret for this
 * purpose only). Why encrypted and not just signed: the token travels in a URL — history, proxy and
 * access logs — and carries the session proof, whose secret outlives the token by hours. AES-GCM is
 * authenticated encryption, so a forged or altered token fails exactly as a bad signature would.
 */
export function sealHandoff(
  secret: string,
  input: { audience: string; sessionId: string; proof: string; returnPath: string },
  now = Date.now(),
): Promise<string> {
  const iat = Math.floor(now / 1000);
  return new EncryptJWT({ sid: input.sessionId, prf: input.proof, ret: input.returnPath })
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .setIssuer(ISSUER)
    .setAudience(input.audience)
    .setJti(randomSecret(18))
    .setIssuedAt(iat)
    .setExpirationTime(iat + HANDOFF_TTL_SECONDS)
    .encrypt(key(secret));
}

/** Opens a token for `audience` (the host it arrived on). Never throws. */
export async function openHandoff(
  secret: string,
  token: string,
  audience: string,
  now = Date.now(),
): Promise<OpenedHandoff> {
  if (token.length > 4096) return { ok: false, reason: 'malformed' };
  try {
    const { payload } = await jwtDecrypt(token, key(secret), {
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
      issuer: ISSUER,
      audience,
      currentDate: new Date(now),
      requiredClaims: ['jti', 'exp', 'aud'],
    });
    const { jti, sid, prf, ret, exp } = payload;
    if (typeof jti !== 'string' || typeof sid !== 'string' || typeof prf !== 'string')
      return { ok: false, reason: 'malformed' };
    if (typeof ret !== 'string' || typeof exp !== 'number')
      return { ok: false, reason: 'malformed' };
    return {
      ok: true,
      claims: { jti, audience, sessionId: sid, proof: prf, returnPath: ret, expiresAt: exp },
    };
  } catch (err) {
    if (err instanceof errors.JWTExpired) return { ok: false, reason: 'expired' };
    if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'aud')
      return { ok: false, reason: 'wrong_audience' };
    return { ok: false, reason: 'malformed' };
  }
}
