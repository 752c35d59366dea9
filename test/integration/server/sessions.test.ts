import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoGraphQLErrors, gql, sessionCookie } from '../../testkit/graphql.ts';
import { type Seeder, seed } from '../../testkit/seed.ts';
import { startTestServer, type TestServer } from '../../testkit/server.ts';

const LOGIN = `mutation ($u: String!, $p: String!) {
  login(username: $u, password: $p) {
    __typename
    ... on SignInPayload { redirectTo viewer { username role mustChangePassword authMethod } }
    ... on Error { code message }
    ... on RateLimitedError { retryAfterSeconds }
  }
}`;
const VIEWER = '{ viewer { username role mustChangePassword } }';
const LOGOUT = 'mutation { logout }';
const CHANGE = `mutation ($c: String!, $n: String!) {
  changePassword(currentPassword: $c, newPassword: $n) {
    __typename
    ... on SignInPayload { redirectTo viewer { mustChangePassword } }
    ... on Error { code message }
    ... on InvalidInputError { fieldErrors { path message } }
  }
}`;

let server: TestServer;
let s: Seeder;
beforeAll(async () => {
  server = await startTestServer({ throttle: { perUserAndIp: 3, perIp: 6 } });
  s = seed(server);
});
afterAll(() => server?.stop());

describe('login', () => {
  it('sets an HttpOnly SameSite=Lax session cookie carrying a jose-signed proof, case-insensitively', async () => {
    const u = await s.createUser({ username: 'Alice.Example', role: 'admin' });
    const res = await gql(server.url, LOGIN, { u: 'alice.EXAMPLE', p: u.password });
    expect(expectNoGraphQLErrors(res).login).toMatchObject({
      __typename: 'SignInPayload',
      redirectTo: '/admin',
      viewer: {
        username: 'Alice.Example',
        role: 'ADMIN',
        mustChangePassword: false,
        authMethod: 'SESSION',
      },
    });
    const set = res.setCookies.find((c) => c.startsWith('clawloops_session='));
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Lax/);
    expect(set).toMatch(/Path=\//);
    expect(set).not.toMatch(/Secure/);
    const cookie = sessionCookie(res);
    expect(cookie?.split('=')[1]?.split('.')).toHaveLength(3); // a JWS
    const me = await gql(server.url, VIEWER, {}, { cookie });
    expect(expectNoGraphQLErrors(me).viewer.username).toBe('Alice.Example');
  });

  it('refuses wrong passwords and unknown users alike, and audits the denial without the password', async () => {
    const u = await s.createUser();
    for (const [username, password] of [
      [u.username, 'WrongPass1'],
      ['nobody-here', 'WrongPass1'],
    ]) {
      const res = await gql(
        server.url,
        LOGIN,
        { u: username, p: password },
        { headers: { 'x-forwarded-for': '10.9.9.9' } },
      );
      expect(expectNoGraphQLErrors(res).login).toMatchObject({
        __typename: 'UnauthenticatedError',
        code: 'INVALID_CREDENTIALS',
      });
      expect(res.setCookies).toEqual([]);
    }
    const rows = await server.deps.orm.em
      .fork()
      .getConnection()
      .execute(
        `select actor_label, result, detail::text as detail from audit_events where action = 'auth.login' and result = 'denied'`,
      );
    expect(rows.map((r) => r.actor_label)).toEqual(
      expect.arrayContaining([u.username, 'nobody-here']),
    );
    expect(JSON.stringify(rows)).not.toContain('WrongPass1');
  });

  it('refuses a disabled user even with the right password', async () => {
    const u = await s.createUser({ status: 'disabled' });
    const res = await gql(server.url, LOGIN, { u: u.username, p: u.password });
    expect(expectNoGraphQLErrors(res).login).toMatchObject({
      __typename: 'ForbiddenError',
      code: 'USER_DISABLED',
    });
  });

  it('sends must-change-password users to the password change', async () => {
    const u = await s.createUser({ mustChangePassword: true });
    const res = await gql(server.url, LOGIN, { u: u.username, p: u.password });
    expect(expectNoGraphQLErrors(res).login.redirectTo).toBe('/change-password');
  });
});

describe('logout', () => {
  it('revokes the session server-side and clears the cookie', async () => {
    const u = await s.createUser();
    const cookie = await s.loginAs(u);
    const res = await gql(server.url, LOGOUT, {}, { cookie });
    expect(expectNoGraphQLErrors(res).logout).toBe(true);
    expect(res.setCookies[0]).toMatch(/^clawloops_session=;.*Max-Age=0/);
    expect(expectNoGraphQLErrors(await gql(server.url, VIEWER, {}, { cookie })).viewer).toBeNull();
  });
});

describe('changePassword', () => {
  it('rotates the session, clears mustChangePassword and signs out other sessions', async () => {
    const u = await s.createUser({ mustChangePassword: true });
    const [a, b] = [await s.loginAs(u), await s.loginAs(u)];
    const res = await gql(
      server.url,
      CHANGE,
      { c: u.password, n: 'BrandNew-pass9' },
      { cookie: a },
    );
    expect(expectNoGraphQLErrors(res).changePassword).toMatchObject({
      __typename: 'SignInPayload',
      redirectTo: '/',
      viewer: { mustChangePassword: false },
    });
    const fresh = sessionCookie(res);
    expect(fresh).toBeTruthy();
    expect(fresh).not.toBe(a);
    for (const old of [a, b])
      expect(
        expectNoGraphQLErrors(await gql(server.url, VIEWER, {}, { cookie: old })).viewer,
      ).toBeNull();
    expect(
      expectNoGraphQLErrors(await gql(server.url, VIEWER, {}, { cookie: fresh })).viewer
        .mustChangePassword,
    ).toBe(false);
    const relogin = await gql(server.url, LOGIN, { u: u.username, p: 'BrandNew-pass9' });
    expect(expectNoGraphQLErrors(relogin).login.__typename).toBe('SignInPayload');
  });

  it('rejects a wrong current password and a weak new one with field errors', async () => {
    const u = await s.createUser({ username: 'OnlyLetters' });
    const cookie = await s.loginAs(u);
    const wrong = await gql(server.url, CHANGE, { c: 'not-it-1', n: 'BrandNew-pass9' }, { cookie });
    expect(expectNoGraphQLErrors(wrong).changePassword.fieldErrors).toEqual([
      { path: 'currentPassword', message: 'is incorrect' },
    ]);
    const weak = await gql(server.url, CHANGE, { c: u.password, n: 'onlyletters' }, { cookie });
    const paths = expectNoGraphQLErrors(weak).changePassword.fieldErrors.map(
      (e: { message: string }) => e.message,
    );
    expect(paths).toEqual(
      expect.arrayContaining(['must contain a digit', 'must not be the username']),
    );
  });
});

describe('login rate limit', () => {
  it('locks a username+IP after the failures allowed in the window, even for the right password', async () => {
    const u = await s.createUser();
    const ip = { headers: { 'x-forwarded-for': '10.1.1.1' } };
    for (let i = 0; i < 3; i++) {
      const res = await gql(server.url, LOGIN, { u: u.username, p: 'Wrong-pass1' }, ip);
      expect(expectNoGraphQLErrors(res).login.__typename).toBe('UnauthenticatedError');
    }
    const limited = await gql(server.url, LOGIN, { u: u.username, p: u.password }, ip);
    expect(expectNoGraphQLErrors(limited).login).toMatchObject({
      __typename: 'RateLimitedError',
      code: 'RATE_LIMITED',
    });
    expect(expectNoGraphQLErrors(limited).login.retryAfterSeconds).toBeGreaterThan(800);
    // Another address is not affected by that username+IP counter.
    const other = await gql(
      server.url,
      LOGIN,
      { u: u.username, p: u.password },
      { headers: { 'x-forwarded-for': '10.1.1.2' } },
    );
    expect(expectNoGraphQLErrors(other).login.__typename).toBe('SignInPayload');
  });

  it('limits one IP across usernames', async () => {
    const ip = { headers: { 'x-forwarded-for': '10.2.2.2' } };
    for (let i = 0; i < 6; i++)
      await gql(server.url, LOGIN, { u: `spray-${i}`, p: 'Wrong-pass1' }, ip);
    const u = await s.createUser();
    const res = await gql(server.url, LOGIN, { u: u.username, p: u.password }, ip);
    expect(expectNoGraphQLErrors(res).login.__typename).toBe('RateLimitedError');
  });
});
