import { describe, expect, it } from 'vitest';
import { type DecideInput, decide } from './decide.ts';
import { safePath } from './safe-path.ts';
import type { EntranceViewer, RuntimeRoute } from './types.ts';

const config = {
  publicOrigin: 'https://claw.example.com',
  appHosts: ['claw.example.com'],
  runtimeDomain: 'claw.example.com',
};
const alice: EntranceViewer = {
  userId: 'a1',
  username: 'alice',
  role: 'user',
  mustChangePassword: false,
  tokenScopes: null,
};
const bob: EntranceViewer = { ...alice, userId: 'b1', username: 'bob' };
const admin: EntranceViewer = { ...alice, userId: 'ad', username: 'root', role: 'admin' };
const running: RuntimeRoute = {
  runtimeId: 'r1',
  ownerId: 'a1',
  ownerUsername: 'alice',
  phase: 'Running',
  endpoint: 'http://127.0.0.1:19100',
};
const NAV = { accept: 'text/html,application/xhtml+xml', secFetchMode: 'navigate' };
const HOST = 'u-alice.claw.example.com';

function input(over: Partial<DecideInput>): DecideInput {
  return {
    viewer: alice,
    trustedSource: true,
    forwardedHost: HOST,
    forwardedUri: '/chat?x=1',
    forwardedMethod: 'GET',
    forwardedProto: 'https',
    hints: NAV,
    runtime: running,
    config,
    ...over,
  };
}

const login = (path: string) =>
  `https://claw.example.com/auth/runtime-login?host=${HOST}&return=${encodeURIComponent(path)}`;

// [case, input overrides, expected status, expected reason]
const table: [string, Partial<DecideInput>, number, string][] = [
  ['owner is allowed', {}, 200, 'owner'],
  [
    'owner via API token with runtime:write',
    { viewer: { ...alice, tokenScopes: ['runtime:write'] } },
    200,
    'owner',
  ],
  [
    'API token without runtime:write',
    { viewer: { ...alice, tokenScopes: ['runtime:read'] } },
    403,
    'token_scope',
  ],
  ['another user', { viewer: bob }, 403, 'not_owner'],
  [
    'another user, no runtime at that label (no existence leak)',
    { viewer: bob, runtime: null },
    403,
    'not_owner',
  ],
  ['own label without runtime', { runtime: null }, 404, 'no_runtime'],
  ['admin without the flag', { viewer: admin }, 403, 'not_owner'],
  [
    'admin with the flag',
    { viewer: admin, config: { ...config, adminAccess: true } },
    200,
    'admin-access',
  ],
  ['disabled user', { viewer: { ...alice, disabled: true } }, 403, 'user_disabled'],
  [
    'must change password',
    { viewer: { ...alice, mustChangePassword: true } },
    403,
    'must_change_password',
  ],
  [
    'runtime starting',
    { runtime: { ...running, phase: 'Starting', endpoint: null } },
    503,
    'not_running',
  ],
  ['runtime stopped', { runtime: { ...running, phase: 'Stopped' } }, 503, 'not_running'],
  ['anonymous navigation GET', { viewer: null }, 302, 'unauthenticated'],
  ['anonymous navigation HEAD', { viewer: null, forwardedMethod: 'HEAD' }, 302, 'unauthenticated'],
  ['anonymous navigation POST', { viewer: null, forwardedMethod: 'POST' }, 303, 'unauthenticated'],
  [
    'anonymous XHR',
    { viewer: null, hints: { ...NAV, requestedWith: 'XMLHttpRequest' } },
    401,
    'unauthenticated',
  ],
  [
    'anonymous fetch()',
    { viewer: null, hints: { accept: '*/*', secFetchMode: 'cors' } },
    401,
    'unauthenticated',
  ],
  [
    'anonymous API (JSON)',
    { viewer: null, hints: { accept: 'application/json' } },
    401,
    'unauthenticated',
  ],
  ['anonymous no Accept', { viewer: null, hints: {} }, 401, 'unauthenticated'],
  [
    'anonymous WebSocket',
    { viewer: null, hints: { ...NAV, upgrade: 'websocket' } },
    401,
    'unauthenticated',
  ],
  [
    'anonymous on an unknown label: same answer as a real one',
    { viewer: null, runtime: null, forwardedHost: 'u-nobody.claw.example.com' },
    302,
    'unauthenticated',
  ],
  ['untrusted source', { trustedSource: false }, 403, 'untrusted_proxy'],
  ['app host, anonymous', { viewer: null, forwardedHost: 'claw.example.com' }, 200, 'app-host'],
  ['app host, signed in', { forwardedHost: 'claw.example.com:443' }, 200, 'app-host'],
  [
    'uppercase host is the same runtime',
    { forwardedHost: 'U-ALICE.Claw.Example.COM' },
    200,
    'owner',
  ],
  ['host with port', { forwardedHost: `${HOST}:8443` }, 200, 'owner'],
  ['suffix attack', { forwardedHost: 'u-alice.evil.com' }, 403, 'foreign_host'],
  ['domain-append attack', { forwardedHost: `${HOST}.evil.com` }, 403, 'foreign_host'],
  ['look-alike domain', { forwardedHost: 'u-alice.evilclaw.example.com' }, 403, 'foreign_host'],
  ['lookalike parent', { forwardedHost: 'u-alice.claw-example.com' }, 403, 'foreign_host'],
  ['trailing dot', { forwardedHost: `${HOST}.` }, 404, 'unknown_host'],
  ['nested subdomain', { forwardedHost: `x.${HOST}` }, 404, 'unknown_host'],
  ['not a runtime label', { forwardedHost: 'www.claw.example.com' }, 404, 'unknown_host'],
  ['IPv6 literal', { forwardedHost: '[::1]:8080' }, 403, 'foreign_host'],
  ['IP literal', { forwardedHost: '10.0.0.1' }, 403, 'foreign_host'],
  ['missing host', { forwardedHost: undefined }, 400, 'bad_host'],
  ['empty host', { forwardedHost: '' }, 400, 'bad_host'],
  ['two hosts', { forwardedHost: `${HOST}, u-bob.claw.example.com` }, 400, 'bad_host'],
  ['userinfo trick', { forwardedHost: `evil.com@${HOST}` }, 400, 'bad_host'],
  ['port trick', { forwardedHost: `${HOST}:80.evil.com` }, 400, 'bad_host'],
  ['port out of range', { forwardedHost: `${HOST}:70000` }, 400, 'bad_host'],
  ['huge host', { forwardedHost: `u-${'a'.repeat(5000)}.claw.example.com` }, 400, 'bad_host'],
  ['control characters', { forwardedHost: `${HOST}\r\nx: y` }, 400, 'bad_host'],
  ['empty label', { forwardedHost: 'u-alice..claw.example.com' }, 400, 'bad_host'],
  ['garbage method', { forwardedMethod: 'G E T' }, 400, 'bad_method'],
  ['garbage proto', { forwardedProto: 'gopher' }, 400, 'bad_proto'],
];

describe('decide', () => {
  it.each(table)('%s', (_name, over, status, reason) => {
    const d = decide(input(over));
    expect({ status: d.status, reason: d.reason }).toEqual({ status, reason });
  });

  it('allows with every identity header, naming the owner and runtime', () => {
    const d = decide(input({}));
    expect(d.allow && d.headers).toEqual({
      'x-clawloops-user': 'alice',
      'x-clawloops-user-id': 'a1',
      'x-clawloops-runtime-id': 'r1',
    });
  });

  it('app host still sends every identity header, empty (Caddy placeholder pitfall)', () => {
    const d = decide(input({ viewer: null, forwardedHost: 'claw.example.com' }));
    expect(d.allow && d.headers).toEqual({
      'x-clawloops-user': '',
      'x-clawloops-user-id': '',
      'x-clawloops-runtime-id': '',
    });
  });

  it('admin access names the owner to the runtime and asks for an audit row', () => {
    const d = decide(input({ viewer: admin, config: { ...config, adminAccess: true } }));
    expect(d.allow && d.headers['x-clawloops-user']).toBe('alice');
    expect(d.audit).toBe(true);
  });

  it('sends browsers to the login hand-off with the host and path to return to', () => {
    const d = decide(input({ viewer: null }));
    expect(!d.allow && d.location).toBe(login('/chat?x=1'));
    const x = decide(input({ viewer: null, hints: { accept: 'application/json' } }));
    expect(!x.allow && x.body.loginUrl).toBe(login('/chat?x=1'));
    expect(!x.allow && x.location).toBeUndefined();
  });

  it('never lets the return URL leave the addressed host', () => {
    for (const uri of [
      '//evil.com/x',
      '/\\evil.com',
      'https://evil.com',
      '/a b',
      `/${'x'.repeat(3000)}`,
    ]) {
      const d = decide(input({ viewer: null, forwardedUri: uri }));
      expect(!d.allow && d.location).toBe(login('/'));
    }
  });

  it('reports the phase of a runtime that is not running', () => {
    const d = decide(input({ runtime: { ...running, phase: 'Failed' } }));
    expect(!d.allow && d.body).toMatchObject({ code: 'not_running', phase: 'Failed' });
  });

  it('audits denials of signed-in users but not anonymous ones', () => {
    expect(decide(input({ viewer: bob })).audit).toBe(true);
    expect(decide(input({ viewer: null })).audit).toBe(false);
  });

  it('safePath keeps ordinary paths', () => {
    expect(safePath('/a/b?c=d#e')).toBe('/a/b?c=d#e');
    expect(safePath(undefined)).toBe('/');
  });
});
