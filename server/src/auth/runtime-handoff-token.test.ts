import { describe, expect, it } from 'vitest';
import { HANDOFF_TTL_SECONDS, openHandoff, sealHandoff } from './runtime-handoff-token.ts';

const SECRET = 'x'.repeat(40);
const HOST = 'u-alice.localhost:8080';
const input = { audience: HOST, sessionId: 's1', proof: 'p.r.f', returnPath: '/chat' };

describe('runtime hand-off token', () => {
  it('round-trips for its audience, with a fresh id each time', async () => {
    const now = Date.now();
    const a = await openHandoff(SECRET, await sealHandoff(SECRET, input, now), HOST, now);
    const b = await openHandoff(SECRET, await sealHandoff(SECRET, input, now), HOST, now);
    expect(a).toMatchObject({ ok: true, claims: { ...input, audience: HOST } });
    expect(a.ok && b.ok && a.claims.jti !== b.claims.jti).toBe(true);
    expect(a.ok && a.claims.expiresAt - Math.floor(now / 1000)).toBe(HANDOFF_TTL_SECONDS);
  });

  it('keeps the session proof unreadable in the URL', async () => {
    const token = await sealHandoff(SECRET, { ...input, proof: 'VISIBLE-SECRET' });
    expect(token).toMatch(/^[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+$/);
    const text = token
      .split('.')
      .map((p) => Buffer.from(p, 'base64url').toString('latin1'))
      .join('');
    expect(text).not.toContain('VISIBLE-SECRET');
  });

  it('refuses other hosts, expiry, tampering and other secrets', async () => {
    const now = Date.now();
    const token = await sealHandoff(SECRET, input, now);
    expect(await openHandoff(SECRET, token, 'u-bob.localhost:8080', now)).toEqual({
      ok: false,
      reason: 'wrong_audience',
    });
    const later = now + (HANDOFF_TTL_SECONDS + 1) * 1000;
    expect(await openHandoff(SECRET, token, HOST, later)).toEqual({ ok: false, reason: 'expired' });
    const parts = token.split('.');
    parts[3] = `${parts[3]?.[0] === 'A' ? 'B' : 'A'}${parts[3]?.slice(1)}`;
    expect(await openHandoff(SECRET, parts.join('.'), HOST, now)).toEqual({
      ok: false,
      reason: 'malformed',
    });
    expect(await openHandoff('y'.repeat(40), token, HOST, now)).toMatchObject({ ok: false });
    expect(await openHandoff(SECRET, 'garbage', HOST, now)).toMatchObject({ ok: false });
    expect(await openHandoff(SECRET, 'x'.repeat(5000), HOST, now)).toMatchObject({ ok: false });
  });
});
