import { describe, expect, it } from 'vitest';
import type { HandoffClaims } from '../auth/runtime-handoff-token.ts';
import { decideRedeem, type RedeemInput } from './handoff-redeem.ts';

const claims: HandoffClaims = {
  jti: 'j1',
  audience: 'u-alice.localhost:8080',
  sessionId: 's1',
  proof: 'proof',
  returnPath: '/chat?x=1',
  expiresAt: 1_900_000_000,
};

function input(over: Partial<RedeemInput>): RedeemInput {
  return {
    method: 'GET',
    opened: { ok: true, claims },
    queryReturn: '/chat?x=1',
    firstUse: true,
    liveSessionId: 's1',
    ...over,
  };
}

describe('decideRedeem', () => {
  // [case, overrides, expected status (0 = sign-in), reason, audited]
  const table: [string, Partial<RedeemInput>, number, string, boolean][] = [
    ['first use of a valid token', {}, 0, 'sign-in', false],
    ['no return parameter (the token has its own)', { queryReturn: null }, 0, 'sign-in', false],
    ['replay', { firstUse: false }, 400, 'token_used', true],
    ['expired', { opened: { ok: false, reason: 'expired' } }, 400, 'token_expired', false],
    [
      'for another host',
      { opened: { ok: false, reason: 'wrong_audience' } },
      403,
      'wrong_audience',
      true,
    ],
    ['forged or altered', { opened: { ok: false, reason: 'malformed' } }, 400, 'bad_token', true],
    ['no token', { opened: null }, 400, 'no_token', false],
    ['return swapped in the URL', { queryReturn: '/elsewhere' }, 400, 'bad_return', true],
    ['session revoked since minting', { liveSessionId: null }, 403, 'session_ended', false],
    ['proof of another session', { liveSessionId: 's2' }, 403, 'session_ended', false],
    ['POST', { method: 'POST' }, 405, 'bad_method', false],
  ];
  it.each(table)('%s', (_name, over, status, reason, audit) => {
    const out = decideRedeem(input(over));
    if (status === 0) {
      expect(out).toEqual({ kind: 'sign-in', proof: 'proof', location: '/chat?x=1' });
      return;
    }
    expect(out).toMatchObject({ kind: 'deny', status, reason, audit });
  });

  it('never redirects off the host, even if a token carried a URL', () => {
    for (const ret of ['//evil.com', 'https://evil.com/', '/\\evil.com']) {
      const opened = { ok: true as const, claims: { ...claims, returnPath: ret } };
      expect(decideRedeem(input({ opened, queryReturn: ret }))).toMatchObject({ location: '/' });
    }
  });

  it('links a refusal back to a same-host path, which restarts the hand-off', () => {
    expect(decideRedeem(input({ firstUse: false }))).toMatchObject({ retry: '/chat?x=1' });
    const bad = { ok: false as const, reason: 'expired' as const };
    expect(decideRedeem(input({ opened: bad, queryReturn: '//evil' }))).toMatchObject({
      retry: '/',
    });
  });
});
