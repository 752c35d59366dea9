import { describe, expect, it } from 'vitest';
import type { DecideConfig } from './decide.ts';
import {
  canonicalRuntimeHost,
  decideRuntimeLogin,
  handoffUrl,
  type RuntimeLoginInput,
  runtimeLoginTarget,
  runtimeLoginUrl,
} from './runtime-login.ts';
import type { EntranceViewer, RuntimeRoute } from './types.ts';

const prod: DecideConfig = {
  publicOrigin: 'https://claw.example.com',
  appHosts: ['claw.example.com'],
  runtimeDomain: 'claw.example.com',
};
const dev: DecideConfig = {
  publicOrigin: 'http://localhost:8080',
  appHosts: ['localhost'],
  runtimeDomain: 'localhost',
};

describe('canonicalRuntimeHost', () => {
  // [raw, config, expected]
  const table: [string | null, DecideConfig, string | null][] = [
    ['u-alice.claw.example.com', prod, 'u-alice.claw.example.com'],
    ['U-Alice.Claw.Example.com', prod, 'u-alice.claw.example.com'],
    ['u-alice.claw.example.com:443', prod, 'u-alice.claw.example.com'],
    ['u-alice.localhost:8080', dev, 'u-alice.localhost:8080'],
    // Another port on a `u-` name may be a gateway's own loopback listener: never a token's target.
    ['u-alice.localhost:18789', dev, null],
    ['u-alice.localhost', dev, null],
    ['u-alice.claw.example.com:8443', prod, null],
    ['claw.example.com', prod, null],
    ['u-alice.claw.example.com.evil.com', prod, null],
    ['evil.com', prod, null],
    ['x.u-alice.claw.example.com', prod, null],
    ['alice.claw.example.com', prod, null],
    ['u-alice.claw.example.com.', prod, null],
    ['https://u-alice.claw.example.com', prod, null],
    ['u-alice.claw.example.com/x', prod, null],
    ['u-alice.claw.example.com@evil.com', prod, null],
    ['[::1]:8080', dev, null],
    ['', prod, null],
    [null, prod, null],
  ];
  it.each(table)('%s', (raw, config, expected) => {
    expect(canonicalRuntimeHost(raw, config)).toBe(expected);
  });
});

describe('runtimeLoginTarget', () => {
  const q = (s: string) => new URLSearchParams(s);
  it('keeps a path and the canonical host', () => {
    expect(runtimeLoginTarget(q('host=u-alice.localhost:8080&return=/chat?x=1'), dev)).toEqual({
      host: 'u-alice.localhost:8080',
      label: 'u-alice',
      returnPath: '/chat?x=1',
    });
  });
  it.each(['//evil.com/x', 'https://evil.com/', '/\\evil.com', 'javascript:alert(1)', '/a b', ''])(
    'turns return %j into /',
    (ret) => {
      const t = runtimeLoginTarget(
        q(`host=u-alice.localhost:8080&return=${encodeURIComponent(ret)}`),
        dev,
      );
      expect(t?.returnPath).toBe('/');
    },
  );
  it('refuses hosts that are not runtime hosts of this deployment', () => {
    for (const host of ['evil.com', 'localhost:8080', 'u-alice.localhost:9999', ''])
      expect(runtimeLoginTarget(q(`host=${encodeURIComponent(host)}`), dev)).toBeNull();
    expect(runtimeLoginTarget(q(''), dev)).toBeNull();
  });
});

const alice: EntranceViewer = {
  userId: 'a1',
  username: 'alice',
  role: 'user',
  mustChangePassword: false,
  tokenScopes: null,
  sessionId: 's1',
};
const bob: EntranceViewer = { ...alice, userId: 'b1', username: 'bob', sessionId: 's2' };
const admin: EntranceViewer = { ...alice, userId: 'ad', username: 'root', role: 'admin' };
const route: RuntimeRoute = {
  runtimeId: 'r1',
  ownerId: 'a1',
  ownerUsername: 'alice',
  phase: 'Running',
  endpoint: 'http://127.0.0.1:19100',
};
const target = { host: 'u-alice.claw.example.com', label: 'u-alice', returnPath: '/chat' };

function input(over: Partial<RuntimeLoginInput>): RuntimeLoginInput {
  return { method: 'GET', target, viewer: alice, runtime: route, config: prod, ...over };
}

describe('decideRuntimeLogin', () => {
  // [case, overrides, expected kind, status or reason]
  const table: [string, Partial<RuntimeLoginInput>, string, string | number | null][] = [
    ['owner', {}, 'mint', null],
    ['owner, HEAD', { method: 'HEAD' }, 'mint', null],
    ['owner before the runtime exists (the host explains)', { runtime: null }, 'mint', null],
    ['owner, stopped runtime', { runtime: { ...route, phase: 'Stopped' } }, 'mint', null],
    ['anonymous', { viewer: null }, 'login', null],
    [
      'API token viewer (no session) is sent to log in',
      { viewer: { ...alice, sessionId: null } },
      'login',
      null,
    ],
    ['another user', { viewer: bob }, 'deny', 'not_owner'],
    ['another user, no runtime there', { viewer: bob, runtime: null }, 'deny', 'not_owner'],
    ['admin without ADMIN_RUNTIME_ACCESS', { viewer: admin }, 'deny', 'not_owner'],
    [
      'admin with ADMIN_RUNTIME_ACCESS',
      { viewer: admin, config: { ...prod, adminAccess: true } },
      'mint',
      null,
    ],
    [
      'admin, no runtime there',
      { viewer: admin, runtime: null, config: { ...prod, adminAccess: true } },
      'deny',
      'not_owner',
    ],
    ['disabled (stale cache)', { viewer: { ...alice, disabled: true } }, 'deny', 'user_disabled'],
    [
      'must change password',
      { viewer: { ...alice, mustChangePassword: true } },
      'deny',
      'must_change_password',
    ],
    ['bad host', { target: null }, 'deny', 'bad_host'],
    [
      'bad host, anonymous (no login for a host we would refuse)',
      { target: null, viewer: null },
      'deny',
      'bad_host',
    ],
    ['POST', { method: 'POST' }, 'deny', 'bad_method'],
  ];
  it.each(table)('%s', (_name, over, kind, reason) => {
    const out = decideRuntimeLogin(input(over));
    expect(out.kind).toBe(kind);
    if (out.kind === 'deny') expect(out.reason).toBe(reason);
  });

  it('sends an anonymous browser to the SPA login, which returns to this same hand-off', () => {
    const out = decideRuntimeLogin(input({ viewer: null }));
    const back = '/auth/runtime-login?host=u-alice.claw.example.com&return=%2Fchat';
    expect(out).toEqual({
      kind: 'login',
      location: `https://claw.example.com/login?return=${encodeURIComponent(back)}`,
    });
  });

  it('mints for the viewer session and the canonical host', () => {
    expect(decideRuntimeLogin(input({}))).toEqual({ kind: 'mint', target, sessionId: 's1' });
  });
});

describe('URLs', () => {
  it('the runtime host session URL uses the app scheme', () => {
    expect(handoffUrl(prod, target, 'a.b.c')).toBe(
      'https://u-alice.claw.example.com/__clawloops/session?token=a.b.c&return=%2Fchat',
    );
    expect(handoffUrl(dev, { ...target, host: 'u-alice.localhost:8080' }, 't')).toBe(
      'http://u-alice.localhost:8080/__clawloops/session?token=t&return=%2Fchat',
    );
  });
  it('the hand-off URL is on the app origin', () => {
    expect(runtimeLoginUrl(dev.publicOrigin, 'u-alice.localhost:8080', '/a?b=c&d')).toBe(
      'http://localhost:8080/auth/runtime-login?host=u-alice.localhost%3A8080&return=%2Fa%3Fb%3Dc%26d',
    );
  });
});
