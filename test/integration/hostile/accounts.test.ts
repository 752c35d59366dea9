import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shortHash } from '../../../schema/domain/slugs.ts';
import { setupToken } from '../../../server/src/auth/first-run.ts';
import { expectNoGraphQLErrors, gql, sessionCookie } from '../../testkit/graphql.ts';
import { type Seeder, seed } from '../../testkit/seed.ts';
import { startTestServer, type TestServer } from '../../testkit/server.ts';
import { rawRequest } from './hostile-kit.ts';

/**
 * Account entry points under attack: guessed and replayed invitation and setup tokens, password
 * brute force (also from a peer forging X-Forwarded-For), and hostile usernames.
 */
const PREVIEW = 'query ($t: String!) { invitationPreview(token: $t) { state } }';
const ACCEPT = `mutation ($t: String!, $u: String!, $p: String!) {
  acceptInvitation(token: $t, username: $u, password: $p) {
    __typename
    ... on AcceptInvitationPayload { replayed viewer { username } }
    ... on Error { code }
    ... on RateLimitedError { retryAfterSeconds }
    ... on InvalidInputError { fieldErrors { path message } }
  }
}`;
const LOGIN = `mutation ($u: String!, $p: String!) {
  login(username: $u, password: $p) {
    __typename
    ... on Error { code }
    ... on RateLimitedError { retryAfterSeconds }
  }
}`;
const SETUP = `mutation ($t: String!, $u: String!, $p: String!) {
  setupFirstAdmin(token: $t, username: $u, password: $p) {
    __typename
    ... on Error { code }
    ... on InvalidInputError { fieldErrors { path message } }
  }
}`;

const CREATE = `mutation ($lock: String) {
  createInvitation(role: USER, usernameLock: $lock, expiresInHours: 1) {
    __typename
    ... on CreateInvitationPayload { token }
    ... on Error { code }
    ... on InvalidInputError { fieldErrors { path message } }
  }
}`;

const PER_USER_AND_IP = 3;
const PER_IP = 6;
let server: TestServer;
let s: Seeder;
beforeAll(async () => {
  server = await startTestServer({ throttle: { perUserAndIp: PER_USER_AND_IP, perIp: PER_IP } });
  s = seed(server);
});
afterAll(() => server?.stop());

/** A distinct client address per test, through the trusted loopback proxy. */
let nextIp = 0;
const fromNewIp = () => ({ headers: { 'x-forwarded-for': `10.77.0.${++nextIp}` } });
const guess = () => randomBytes(32).toString('base64url');
const userCount = async () =>
  Number(
    (await server.deps.orm.em.fork().getConnection().execute('select count(*) n from users'))[0]?.n,
  );

describe('invitation tokens', () => {
  it('guessing through the public preview is throttled per IP; then even a real token reveals nothing', async () => {
    const ip = fromNewIp();
    const real = await s.createInvitation();
    for (let i = 0; i < PER_IP; i++) {
      const res = await gql(server.url, PREVIEW, { t: guess() }, ip);
      expect(expectNoGraphQLErrors(res).invitationPreview.state).toBe('NOT_FOUND');
    }
    const limited = await gql(server.url, PREVIEW, { t: real.token }, ip);
    expect(limited.data?.invitationPreview ?? null).toBeNull();
    expect(limited.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/Too many attempts. Try again in \d+ s/),
      extensions: { code: 'RATE_LIMITED' },
    });
    // Another address is not affected.
    const other = await gql(server.url, PREVIEW, { t: real.token }, fromNewIp());
    expect(expectNoGraphQLErrors(other).invitationPreview.state).toBe('VALID');
  });

  it('guessing through accept is throttled per IP, whatever usernames are tried', async () => {
    const ip = fromNewIp();
    const before = await userCount();
    for (let i = 0; i < PER_IP; i++) {
      const res = await gql(
        server.url,
        ACCEPT,
        { t: guess(), u: `g${i}-x`, p: 'Guess-pass-1' },
        ip,
      );
      expect(expectNoGraphQLErrors(res).acceptInvitation.code).toBe('NOT_FOUND');
    }
    const real = await s.createInvitation();
    const res = await gql(
      server.url,
      ACCEPT,
      { t: real.token, u: 'patient', p: 'Pat-pass-12' },
      ip,
    );
    expect(expectNoGraphQLErrors(res).acceptInvitation).toMatchObject({
      __typename: 'RateLimitedError',
      code: 'RATE_LIMITED',
      retryAfterSeconds: expect.any(Number),
    });
    expect(await userCount()).toBe(before);
  });

  it('a token accepted twice at once creates one account; a consumed token serves no one else', async () => {
    const inv = await s.createInvitation();
    const before = await userCount();
    const names = ['racer-a', 'racer-b', 'racer-c', 'racer-d'];
    const results = await Promise.all(
      names.map(async (u) => {
        const res = await gql(
          server.url,
          ACCEPT,
          { t: inv.token, u, p: `${u}-Pass1` },
          fromNewIp(),
        );
        return expectNoGraphQLErrors(res).acceptInvitation;
      }),
    );
    const winners = results.filter((r) => r.__typename === 'AcceptInvitationPayload');
    expect(winners, JSON.stringify(results)).toHaveLength(1);
    expect(results.filter((r) => r.code === 'INVITATION_CONSUMED')).toHaveLength(names.length - 1);
    expect(await userCount()).toBe(before + 1);
    const later = await gql(server.url, ACCEPT, { t: inv.token, u: 'late', p: 'Late-pass-1' });
    expect(expectNoGraphQLErrors(later).acceptInvitation.code).toBe('INVITATION_CONSUMED');
    expect(await userCount()).toBe(before + 1);
  });
});

describe('login brute force', () => {
  it('a peer that is not a trusted proxy cannot earn fresh attempts by forging X-Forwarded-For', async () => {
    const u = await s.createUser();
    const login = (p: string, i: number) =>
      rawRequest(server.url, {
        localAddress: '127.0.0.2',
        headers: {
          'content-type': 'application/json',
          'x-forwarded-for': `203.0.113.${i}`,
          'x-real-ip': `203.0.113.${i}`,
          forwarded: `for=203.0.113.${i}`,
        },
        chunks: [JSON.stringify({ query: LOGIN, variables: { u: u.username, p } })],
      }).then((r) => JSON.parse(r.body).data.login);
    for (let i = 0; i < PER_USER_AND_IP; i++)
      expect((await login('Wrong-pass-1', i)).code).toBe('INVALID_CREDENTIALS');
    expect(await login(u.password, 99)).toMatchObject({
      __typename: 'RateLimitedError',
      retryAfterSeconds: expect.any(Number),
    });
    const ips = await server.deps.orm.em
      .fork()
      .getConnection()
      .execute(
        `select distinct ip from audit_events where action = 'auth.login' and actor_label = ?`,
        [u.username],
      );
    expect(ips.map((r) => r.ip)).toEqual(['127.0.0.2']);
    // The owner, from their own address, is not locked out by someone else's guessing.
    expect(
      (await gql(server.url, LOGIN, { u: u.username, p: u.password }, fromNewIp())).data.login,
    ).toMatchObject({ __typename: 'SignInPayload' });
  });

  it('a locked username+IP signs in again once the window has passed', async () => {
    const quick = await startTestServer({
      throttle: { perUserAndIp: 2, perIp: 50, windowMs: 1500 },
    });
    try {
      const u = await seed(quick).createUser();
      for (let i = 0; i < 2; i++) await gql(quick.url, LOGIN, { u: u.username, p: 'Wrong-pass-1' });
      const locked = await gql(quick.url, LOGIN, { u: u.username, p: u.password });
      expect(expectNoGraphQLErrors(locked).login.__typename).toBe('RateLimitedError');
      await new Promise((r) => setTimeout(r, 1600));
      const after = await gql(quick.url, LOGIN, { u: u.username, p: u.password });
      expect(expectNoGraphQLErrors(after).login.__typename).toBe('SignInPayload');
    } finally {
      await quick.stop();
    }
  });
});

describe('setup token', () => {
  it('guessing the first-run setup token is throttled per IP', async () => {
    const fresh = await startTestServer({ throttle: { perUserAndIp: 3, perIp: 3 } });
    try {
      for (let i = 0; i < 3; i++) {
        const res = await gql(fresh.url, SETUP, { t: guess(), u: 'root', p: 'Root-pass-1' });
        expect(expectNoGraphQLErrors(res).setupFirstAdmin.code).toBe('SETUP_TOKEN_INVALID');
      }
      const t = setupToken(fresh.deps.secret);
      const limited = await gql(fresh.url, SETUP, { t, u: 'root', p: 'Root-pass-1' });
      expect(limited.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
      const other = await gql(fresh.url, SETUP, { t, u: 'root', p: 'Root-pass-1' }, fromNewIp());
      expect(expectNoGraphQLErrors(other).setupFirstAdmin.__typename).toBe('SignInPayload');
    } finally {
      await fresh.stop();
    }
  });
});

/** Path-like, control, bidi, confusable, invisible and oversized names: none is a username. */
const HOSTILE_USERNAMES = [
  '../x',
  '..',
  'a/b',
  'a\\b',
  'a\u0000b',
  '\u202eevil',
  'аdmin',
  'ａｄｍｉｎ',
  'ad\u200bmin',
  'a b',
  ' admin',
  'admin\n',
  'user@example.com',
  '.hidden',
  '-dash',
  'ab',
  '',
  'x'.repeat(65),
  'x'.repeat(10_000),
  '%2e%2e%2fx',
  "x'; drop table users; --",
  '😀😀😀',
];

describe('hostile usernames', () => {
  let fresh: TestServer;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'clawloops-hostile-names-'));
    fresh = await startTestServer({ env: { DATA_DIR: dataDir } });
  });
  afterAll(() => fresh?.stop());
  const count = async () =>
    Number(
      (await fresh.deps.orm.em.fork().getConnection().execute('select count(*) n from users'))[0]
        ?.n,
    );
  const usernameError = (result: { __typename: string; fieldErrors?: { path: string }[] }) => {
    expect(result.__typename).toBe('InvalidInputError');
    return result.fieldErrors?.map((f) => f.path);
  };

  it('are refused with a field error at first-run setup, invitation and accept; nothing is created', async () => {
    const t = setupToken(fresh.deps.secret);
    // NUL never reaches a resolver (BAD_USER_INPUT for the whole operation); the rest are field errors.
    for (const u of HOSTILE_USERNAMES) {
      const res = await gql(fresh.url, SETUP, { t, u, p: 'Root-pass-12' }, fromNewIp());
      if (u.includes('\u0000')) expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      else expect(usernameError(res.data.setupFirstAdmin), u).toEqual(['username']);
    }
    expect(await count()).toBe(0);

    const setup = await gql(fresh.url, SETUP, { t, u: 'root', p: 'Root-pass-12' });
    const admin = { cookie: sessionCookie(setup) };
    for (const lock of HOSTILE_USERNAMES.filter((u) => u && !u.includes('\u0000'))) {
      const res = await gql(fresh.url, CREATE, { lock }, admin);
      expect(usernameError(res.data.createInvitation), lock).toEqual(['usernameLock']);
    }
    const inv = await seed(fresh).createInvitation();
    for (const u of HOSTILE_USERNAMES.filter((x) => !x.includes('\u0000'))) {
      const res = await gql(
        fresh.url,
        ACCEPT,
        { t: inv.token, u, p: 'Guest-pass-12' },
        fromNewIp(),
      );
      expect(usernameError(res.data.acceptInvitation), u).toContain('username');
    }
    expect(await count()).toBe(1);
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('a username whose runtime host would be another user’s is refused', async () => {
    // `bob.smith` is served at u-bob-smith-<hash of "bob.smith">: that label is a valid username too.
    const s2 = seed(fresh);
    await s2.createUser({ username: 'bob.smith' });
    const twin = `bob-smith-${shortHash('bob.smith')}`;
    const inv = await s2.createInvitation();
    const res = await gql(fresh.url, ACCEPT, { t: inv.token, u: twin, p: 'Twin-pass-123' });
    expect(expectNoGraphQLErrors(res).acceptInvitation).toMatchObject({
      __typename: 'ConflictError',
      code: 'USERNAME_TAKEN',
    });
    // Both at once: one account, whichever commits first.
    const [a, b] = [await s2.createInvitation(), await s2.createInvitation()];
    const names = ['carol.x', `carol-x-${shortHash('carol.x')}`];
    const raced = await Promise.all(
      names.map((u, i) =>
        gql(fresh.url, ACCEPT, { t: (i ? b : a).token, u, p: 'Carol-pass-123' }, fromNewIp()),
      ),
    );
    expect(raced.map((r) => r.data.acceptInvitation.__typename).sort()).toEqual([
      'AcceptInvitationPayload',
      'ConflictError',
    ]);
    const admin = await s2.loginAs(await s2.createUser({ role: 'admin' }));
    const locked = await gql(fresh.url, CREATE, { lock: twin.toUpperCase() }, { cookie: admin });
    expect(expectNoGraphQLErrors(locked).createInvitation).toMatchObject({
      __typename: 'ConflictError',
      code: 'USERNAME_TAKEN',
    });
  });
});
