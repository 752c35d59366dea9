import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstRunSetupUrl, setupToken } from '../../../server/src/auth/first-run.ts';
import { expectNoGraphQLErrors, gql, sessionCookie } from '../../testkit/graphql.ts';
import { startTestServer, type TestServer } from '../../testkit/server.ts';

const SETUP = `mutation ($t: String!, $u: String!, $p: String!) {
  setupFirstAdmin(token: $t, username: $u, password: $p) {
    __typename
    ... on SignInPayload { redirectTo viewer { username role } }
    ... on Error { code }
  }
}`;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

describe('first run', () => {
  it('prints the same deterministic link on every process while no admin exists', async () => {
    const url = await firstRunSetupUrl(
      server.deps.orm.em.fork(),
      server.deps.secret,
      'https://claw.example.com',
    );
    expect(url).toBe(`https://claw.example.com/setup?token=${setupToken(server.deps.secret)}`);
    expect(setupToken(server.deps.secret)).toBe(setupToken(server.deps.secret));
    expect(setupToken('another-secret-another-secret-xx')).not.toBe(setupToken(server.deps.secret));
  });

  it('refuses a wrong token', async () => {
    const res = await gql(server.url, SETUP, { t: 'guess', u: 'root', p: 'Root-pass-1' });
    expect(expectNoGraphQLErrors(res).setupFirstAdmin).toEqual({
      __typename: 'ForbiddenError',
      code: 'SETUP_TOKEN_INVALID',
    });
  });

  it('creates the first admin and signs in, exactly once', async () => {
    const t = setupToken(server.deps.secret);
    const [one, two] = await Promise.all([
      gql(server.url, SETUP, { t, u: 'root', p: 'Root-pass-1' }),
      gql(server.url, SETUP, { t, u: 'root2', p: 'Root-pass-2' }),
    ]);
    const results = [one, two].map((r) => expectNoGraphQLErrors(r).setupFirstAdmin);
    const ok = results.filter((r) => r.__typename === 'SignInPayload');
    expect(ok).toHaveLength(1);
    expect(ok[0]).toMatchObject({ redirectTo: '/admin', viewer: { role: 'ADMIN' } });
    expect(results).toContainEqual({ __typename: 'ConflictError', code: 'SETUP_COMPLETED' });
    const cookie = sessionCookie(
      one.data?.setupFirstAdmin.__typename === 'SignInPayload' ? one : two,
    );
    expect(
      expectNoGraphQLErrors(await gql(server.url, '{ viewer { role } }', {}, { cookie })).viewer
        .role,
    ).toBe('ADMIN');
    expect(
      await firstRunSetupUrl(
        server.deps.orm.em.fork(),
        server.deps.secret,
        'https://claw.example.com',
      ),
    ).toBeNull();
    const late = await gql(server.url, SETUP, { t, u: 'root3', p: 'Root-pass-3' });
    expect(expectNoGraphQLErrors(late).setupFirstAdmin).toEqual({
      __typename: 'ConflictError',
      code: 'SETUP_COMPLETED',
    });
  });
});
