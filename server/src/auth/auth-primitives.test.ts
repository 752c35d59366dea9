import { describe, expect, it } from 'vitest';
import { AuthCache } from './auth-cache.ts';
import { clearedSessionCookie, readCookie, sessionCookie } from './cookies.ts';
import { isCsrfSafe } from './csrf.ts';
import { SlidingWindow } from './rate-limit.ts';
import { signSessionProof, verifySessionProof } from './session-proof.ts';

const SECRET = 'x'.repeat(40);

describe('session proof', () => {
  it('round-trips, and rejects tampering, other keys and expiry', async () => {
    const proof = { sessionId: '7d4b9f4e-1111-4222-8333-944455556666', secret: 's3cret' };
    const jwt = await signSessionProof(SECRET, proof, new Date(Date.now() + 60_000));
    expect(await verifySessionProof(SECRET, jwt)).toEqual(proof);
    expect(await verifySessionProof('y'.repeat(40), jwt)).toBeNull();
    expect(await verifySessionProof(SECRET, `${jwt.slice(0, -2)}AA`)).toBeNull();
    expect(
      await verifySessionProof(
        SECRET,
        await signSessionProof(SECRET, proof, new Date(Date.now() - 1000)),
      ),
    ).toBeNull();
  });
});

describe('cookies', () => {
  it('writes identical attributes on set and clear', () => {
    const opts = { secure: true, domain: '.example.com' };
    const set = sessionCookie('v', new Date(0), opts);
    const clear = clearedSessionCookie(opts);
    const attrs = (c: string) =>
      c.split('; ').filter((a) => !/^(clawloops_session|Expires|Max-Age)=/.test(a));
    expect(attrs(set)).toEqual([
      'Path=/',
      'HttpOnly',
      'SameSite=Lax',
      'Secure',
      'Domain=.example.com',
    ]);
    expect(attrs(clear)).toEqual(attrs(set));
    expect(readCookie('a=1; clawloops_session=abc.def; b=2', 'clawloops_session')).toBe('abc.def');
  });
});

describe('CSRF rule', () => {
  const req = (headers: Record<string, string>, method = 'POST') =>
    new Request('http://x/graphql', { method, headers });
  it.each([
    [{ cookie: 'clawloops_session=v', 'content-type': 'text/plain' }, false],
    [{ cookie: 'clawloops_session=v', 'content-type': 'application/x-www-form-urlencoded' }, false],
    [{ cookie: 'clawloops_session=v', 'content-type': 'application/json; charset=utf-8' }, true],
    [
      { cookie: 'clawloops_session=v', 'content-type': 'text/plain', 'x-clawloops-csrf': '1' },
      true,
    ],
    [
      {
        cookie: 'clawloops_session=v',
        authorization: 'Bearer clt_x',
        'content-type': 'text/plain',
      },
      true,
    ],
    [{ 'content-type': 'text/plain' }, true],
  ])('%o → %s', (headers, safe) => expect(isCsrfSafe(req(headers))).toBe(safe));
});

describe('sliding window', () => {
  it('allows `limit` events per window and reports when the oldest leaves it', () => {
    const w = new SlidingWindow({ limit: 2, windowMs: 1000 });
    w.hit('k', 0);
    w.hit('k', 400);
    expect(w.retryAfterMs('k', 500)).toBe(500);
    expect(w.retryAfterMs('k', 1001)).toBe(0);
  });
});

describe('auth cache', () => {
  const viewer = {
    userId: 'u1',
    username: 'a',
    role: 'user' as const,
    mustChangePassword: false,
    sessionId: 's',
    tokenId: null,
    tokenScopes: null,
  };
  it('drops by session, by user, and ignores loads that raced an invalidation', () => {
    const c = new AuthCache();
    c.set('session:s', { viewer, userId: 'u1', validUntil: Date.now() + 1000 }, c.epoch);
    c.set('token:t', { viewer, userId: 'u1', validUntil: Date.now() + 1000 }, c.epoch);
    c.invalidate('user:u1');
    expect(c.size).toBe(0);
    const epoch = c.epoch;
    c.invalidate('session:other');
    c.set('session:s', { viewer, userId: 'u1', validUntil: Date.now() + 1000 }, epoch);
    expect(c.get('session:s')).toBeUndefined();
  });
});
