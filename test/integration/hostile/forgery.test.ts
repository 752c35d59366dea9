import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, EncryptJWT, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userHostLabel } from '../../../schema/domain/slugs.ts';
import { deriveKey } from '../../../server/src/auth/crypto.ts';
import { expectNoGraphQLErrors, gql, sessionCookie } from '../../testkit/graphql.ts';
import { type SeededUser, seed } from '../../testkit/seed.ts';
import { SERVER_TEST_SECRET, startTestServer, type TestServer } from '../../testkit/server.ts';
import { type FakeGateway, startFakeGateway } from '../isolation/fake-gateway.ts';
import { observe } from '../server/runtimes-fixtures.ts';
import { type RawReply, rawRequest, STACK_TRACE } from './hostile-kit.ts';

/**
 * Forged credentials and forged proxy headers against everything main.ts serves: session cookies
 * and login hand-off tokens tampered every way a JOSE token can be (`alg: none`, wrong key, another
 * algorithm, expired, another audience or issuer, truncated), and X-Forwarded-* / identity headers
 * from peers that are not trusted proxies. None may sign anyone in, reach a runtime, or be answered
 * with a server error; a fake gateway records what a runtime would have received.
 */
const APP = 'localhost:8080';
let server: TestServer;
let gateway: FakeGateway;
let alice: SeededUser;
let aliceCookie: string;
let bobCookie: string;
let aliceHost: string;
let bobHost: string;
let base: string;
beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'clawloops-forgery-'));
  const spaDir = join(dataDir, 'spa');
  mkdirSync(spaDir);
  writeFileSync(join(spaDir, 'index.html'), '<!doctype html><!--clawloops-config--><p>SPA</p>');
  gateway = await startFakeGateway();
  server = await startTestServer({ full: { spaDir }, env: { DATA_DIR: dataDir } });
  base = server.url.replace('/graphql', '');
  const s = seed(server);
  alice = await s.createUser();
  const bob = await s.createUser();
  const login = async (u: SeededUser) =>
    sessionCookie(
      await gql(
        server.url,
        'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { __typename } }',
        {
          u: u.username,
          p: u.password,
        },
      ),
    ) as string;
  aliceCookie = await login(alice);
  bobCookie = await login(bob);
  const started = await gql(
    server.url,
    'mutation { startRuntime { ... on Runtime { id } } }',
    {},
    { cookie: aliceCookie },
  );
  const runtimeId = Buffer.from(expectNoGraphQLErrors(started).startRuntime.id, 'base64')
    .toString()
    .split(':')[1] as string;
  await observe(server, runtimeId, {
    phase: 'Running',
    endpoint: gateway.url,
    event: { type: 'Ready', message: 'ready' },
  });
  aliceHost = `${userHostLabel(alice.username)}.${APP}`;
  bobHost = `${userHostLabel(bob.username)}.${APP}`;
});
afterAll(async () => {
  await server?.stop();
  await gateway?.stop();
});

const proofOf = (cookie: string) => cookie.replace(/^clawloops_session=/, '');
const sessionKey = new Uint8Array(deriveKey(SERVER_TEST_SECRET, 'session-proof'));
const handoffKey = new Uint8Array(deriveKey(SERVER_TEST_SECRET, 'runtime-handoff'));
const inOneHour = () => Math.floor(Date.now() / 1000) + 3600;

/** A request to `host` on the server's port (runtime hosts need no DNS: the Host header decides). */
function toHost(
  host: string,
  path: string,
  headers: Record<string, string> = {},
  localAddress?: string,
) {
  return rawRequest(base, {
    method: 'GET',
    path,
    headers: { host, accept: 'application/json', ...headers },
    localAddress,
  });
}

function expectClean(res: RawReply): void {
  expect(res.status, res.body).toBeGreaterThanOrEqual(300);
  expect(res.status, res.body).toBeLessThan(500);
  expect(res.body).not.toMatch(STACK_TRACE);
  expect(res.headers['set-cookie']).toBeUndefined();
}

describe('tampered session cookies', () => {
  async function forgedProofs(): Promise<[string, string][]> {
    const real = proofOf(aliceCookie);
    const { sid, sec } = decodeJwt(real) as { sid: string; sec: string };
    const [h, p] = real.split('.');
    const sign = (
      claims: Record<string, unknown>,
      opts: { alg?: string; key?: Uint8Array; aud?: string; exp?: number } = {},
    ) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: opts.alg ?? 'HS256' })
        .setAudience(opts.aud ?? 'clawloops:session')
        .setExpirationTime(opts.exp ?? inOneHour())
        .sign(opts.key ?? sessionKey);
    return [
      [
        'alg: none',
        new UnsecuredJWT({ sid, sec })
          .setAudience('clawloops:session')
          .setExpirationTime(inOneHour())
          .encode(),
      ],
      ['signature stripped', `${h}.${p}.`],
      ['another key', await sign({ sid, sec }, { key: new Uint8Array(32).fill(7) })],
      [
        'HS512 with the right key',
        await sign(
          { sid, sec },
          { alg: 'HS512', key: new Uint8Array(deriveKey(SERVER_TEST_SECRET, 'session-proof')) },
        ),
      ],
      ['the hand-off key', await sign({ sid, sec }, { key: handoffKey })],
      ['expired', await sign({ sid, sec }, { exp: Math.floor(Date.now() / 1000) - 10 })],
      ['another audience', await sign({ sid, sec }, { aud: 'clawloops:runtime-login' })],
      ['right signature, wrong secret', await sign({ sid, sec: `${sec}x` })],
      ['right signature, sid not a uuid', await sign({ sid: "' or 1=1 --", sec })],
      ['right signature, unknown session', await sign({ sid: crypto.randomUUID(), sec })],
      ['truncated', real.slice(0, -12)],
      [
        'payload swapped into a real token',
        `${h}.${Buffer.from(JSON.stringify({ sid, sec, aud: 'clawloops:session', exp: 9e9 })).toString('base64url')}.${real.split('.')[2]}`,
      ],
      ['10 kB of junk', 'x'.repeat(10_000)],
    ];
  }

  it('sign no one in: GraphQL sees no viewer, runtime hosts and hand-offs answer 401', async () => {
    const before = gateway.received.length;
    for (const [name, proof] of await forgedProofs()) {
      const cookie = `clawloops_session=${proof}`;
      const viewer = await gql(server.url, '{ viewer { username } }', {}, { cookie });
      expect(viewer.status, name).toBe(200);
      expect(viewer.data?.viewer, name).toBeNull();
      const edge = await toHost(aliceHost, '/', { cookie });
      expectClean(edge);
      expect([edge.status, JSON.parse(edge.body).code], name).toEqual([401, 'unauthenticated']);
      const forward = await toHost(APP, '/auth/forward', {
        cookie,
        'x-forwarded-host': aliceHost,
        'x-forwarded-uri': '/',
      });
      expect(forward.status, name).toBe(401);
      const handoff = await toHost(
        APP,
        `/auth/runtime-login?host=${encodeURIComponent(aliceHost)}&return=/`,
        { cookie },
      );
      expectClean(handoff);
      expect(handoff.headers.location ?? '', name).not.toContain('__clawloops/session');
    }
    expect(gateway.received.length).toBe(before);
    // Nothing above hurt the real session.
    const real = await gql(server.url, '{ viewer { username } }', {}, { cookie: aliceCookie });
    expect(real.data?.viewer?.username).toBe(alice.username);
  });
});

describe('tampered login hand-off tokens', () => {
  /** A real token, as `/auth/runtime-login` hands it to alice's browser. */
  async function realToken(): Promise<string> {
    const res = await toHost(
      APP,
      `/auth/runtime-login?host=${encodeURIComponent(aliceHost)}&return=/chat`,
      { cookie: aliceCookie, accept: 'text/html' },
    );
    expect(res.status, res.body).toBe(302);
    return new URL(String(res.headers.location)).searchParams.get('token') as string;
  }
  const redeem = (token: string, host = aliceHost) =>
    toHost(host, `/__clawloops/session?token=${encodeURIComponent(token)}&return=/chat`);
  const seal = (
    claims: Record<string, unknown>,
    opts: { key?: Uint8Array; iss?: string; aud?: string; exp?: number; alg?: string } = {},
  ) =>
    new EncryptJWT(claims)
      .setProtectedHeader({ alg: opts.alg ?? 'dir', enc: 'A256GCM' })
      .setIssuer(opts.iss ?? 'clawloops:runtime-login')
      .setAudience(opts.aud ?? aliceHost)
      .setJti(crypto.randomUUID())
      .setIssuedAt()
      .setExpirationTime(opts.exp ?? Math.floor(Date.now() / 1000) + 60)
      .encrypt(opts.key ?? handoffKey);

  it('a real token signs its own host in once; a replay is refused', async () => {
    const token = await realToken();
    const first = await redeem(token);
    expect(first.status).toBe(302);
    expect(String(first.headers['set-cookie'])).toMatch(/^clawloops_session=/);
    const again = await redeem(token);
    expectClean(again);
    expect([again.status, JSON.parse(again.body).code]).toEqual([400, 'token_used']);
  });

  it('forged, altered, expired or misdirected tokens are refused with a reason and no cookie', async () => {
    const real = await realToken();
    const claims = { sid: 'x', prf: proofOf(aliceCookie), ret: '/chat' };
    const parts = real.split('.');
    const cases: [string, string, string, number, string][] = [
      [
        'alg: none JWT',
        new UnsecuredJWT(claims).setAudience(aliceHost).encode(),
        aliceHost,
        400,
        'bad_token',
      ],
      [
        'a signed JWS, not a JWE',
        await new SignJWT(claims)
          .setProtectedHeader({ alg: 'HS256' })
          .setAudience(aliceHost)
          .sign(handoffKey),
        aliceHost,
        400,
        'bad_token',
      ],
      [
        'another key',
        await seal(claims, { key: new Uint8Array(32).fill(1) }),
        aliceHost,
        400,
        'bad_token',
      ],
      [
        'the right key, key wrapping instead of dir',
        await seal(claims, { alg: 'A256KW' }),
        aliceHost,
        400,
        'bad_token',
      ],
      ['another issuer', await seal(claims, { iss: 'someone-else' }), aliceHost, 400, 'bad_token'],
      [
        'expired',
        await seal(claims, { exp: Math.floor(Date.now() / 1000) - 5 }),
        aliceHost,
        400,
        'token_expired',
      ],
      [
        "bob's host as audience, redeemed on alice's",
        await seal(claims, { aud: bobHost }),
        aliceHost,
        403,
        'wrong_audience',
      ],
      ["alice's token redeemed on bob's host", real, bobHost, 403, 'wrong_audience'],
      ['truncated', real.slice(0, -8), aliceHost, 400, 'bad_token'],
      [
        'ciphertext altered',
        [
          ...parts.slice(0, 3),
          `${parts[3]?.startsWith('A') ? 'B' : 'A'}${parts[3]?.slice(1)}`,
          parts[4],
        ].join('.'),
        aliceHost,
        400,
        'bad_token',
      ],
      ['5 kB', 'a'.repeat(5000), aliceHost, 400, 'bad_token'],
    ];
    const before = gateway.received.length;
    for (const [name, token, host, status, code] of cases) {
      const res = await redeem(token, host);
      expectClean(res);
      expect([res.status, JSON.parse(res.body).code], name).toEqual([status, code]);
    }
    expect(gateway.received.length).toBe(before);
    // The real token was never spent by the refusals on its own host's neighbours.
    expect((await redeem(real)).status).toBe(302);
  });
});

describe('forged proxy and identity headers', () => {
  const forged = {
    'x-forwarded-for': '203.0.113.66',
    'x-forwarded-proto': 'https',
    'x-forwarded-host': 'evil.example',
    forwarded: 'for=203.0.113.66;proto=https',
    'x-real-ip': '203.0.113.66',
    'x-clawloops-user': 'mallory',
    'x-clawloops-user-id': crypto.randomUUID(),
    'x-clawloops-runtime-id': crypto.randomUUID(),
  };

  it('a peer that is not a trusted proxy cannot use /auth/forward at all', async () => {
    const res = await toHost(
      APP,
      '/auth/forward',
      { ...forged, cookie: aliceCookie, 'x-forwarded-host': aliceHost, 'x-forwarded-uri': '/' },
      '127.0.0.2',
    );
    expectClean(res);
    expect([res.status, JSON.parse(res.body).code]).toEqual([403, 'untrusted_proxy']);
  });

  it("through the edge, the runtime sees the entrance's identity and the real peer, never the client's claims", async () => {
    const before = gateway.received.length;
    const res = await toHost(aliceHost, '/page', { ...forged, cookie: aliceCookie }, '127.0.0.2');
    expect(res.status, res.body).toBe(200);
    const seen = gateway.received.slice(before);
    expect(seen).toHaveLength(1);
    const h = seen[0]?.headers ?? {};
    expect(h['x-clawloops-user']).toBe(alice.username);
    expect(h['x-clawloops-user-id']).toBe(alice.id);
    expect(h['x-forwarded-proto']).toBe('http');
    expect(h['x-forwarded-host']).toBe(aliceHost);
    // 127.0.0.2 is loopback: the edge attributes same-host clients to 100::1 (upstream-headers.ts).
    expect(h['x-forwarded-for']).toBe('100::1');
    expect(h.forwarded).toBeUndefined();
    expect(h['x-real-ip']).toBeUndefined();
    expect(JSON.stringify(h)).not.toContain('203.0.113.66');
    expect(JSON.stringify(h)).not.toContain('mallory');
  });

  it('a trusted proxy is believed about the client, still never about identity', async () => {
    const before = gateway.received.length;
    const res = await toHost(aliceHost, '/page', { ...forged, cookie: aliceCookie });
    expect(res.status).toBe(200);
    const h = gateway.received.slice(before)[0]?.headers ?? {};
    expect(h['x-forwarded-for']).toBe('203.0.113.66');
    expect(h['x-forwarded-proto']).toBe('https');
    expect(h['x-clawloops-user']).toBe(alice.username);
  });

  it('forged identity headers give another user or an anonymous caller nothing', async () => {
    const before = gateway.received.length;
    const asAlice = {
      ...forged,
      'x-clawloops-user': alice.username,
      'x-clawloops-user-id': alice.id,
    };
    const other = await toHost(aliceHost, '/', { ...asAlice, cookie: bobCookie }, '127.0.0.2');
    expectClean(other);
    expect([other.status, JSON.parse(other.body).code]).toEqual([403, 'not_owner']);
    const anonymous = await toHost(aliceHost, '/', asAlice, '127.0.0.2');
    expectClean(anonymous);
    expect(anonymous.status).toBe(401);
    expect(gateway.received.length).toBe(before);
  });
});
