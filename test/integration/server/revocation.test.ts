import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoGraphQLErrors, gql } from '../../testkit/graphql.ts';
import { type Seeder, seed } from '../../testkit/seed.ts';
import { startTestServer, type TestServer } from '../../testkit/server.ts';
import { waitFor } from '../../testkit/wait.ts';

/**
 * Two server processes on one database: A revokes, B must stop accepting the credential within 1 s
 * — without B querying the database per request (its cache is warm before the revocation).
 */
const VIEWER = '{ viewer { username role } }';
let a: TestServer;
let b: TestServer;
let s: Seeder;

beforeAll(async () => {
  a = await startTestServer();
  b = await startTestServer({ databaseUrl: a.databaseUrl });
  s = seed(a);
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
});

async function viewerOn(server: TestServer, auth: { cookie?: string; bearer?: string }) {
  return expectNoGraphQLErrors(await gql(server.url, VIEWER, {}, auth)).viewer;
}

/** Polls B until it refuses; returns how long that took after the revocation on A. */
async function msUntilRefused(
  auth: { cookie?: string; bearer?: string },
  since: number,
): Promise<number> {
  await waitFor(
    'server B to refuse the credential',
    async () => (await viewerOn(b, auth)) === null,
    { timeoutMs: 1_000, intervalMs: 20 },
  );
  return Date.now() - since;
}

describe('revocation across server processes', () => {
  it('logout on A ends the session on B within 1 s', async () => {
    const u = await s.createUser();
    const cookie = await s.loginAs(u);
    expect(await viewerOn(b, { cookie })).toMatchObject({ username: u.username }); // B caches it
    const t0 = Date.now();
    await gql(a.url, 'mutation { logout }', {}, { cookie });
    expect(await msUntilRefused({ cookie }, t0)).toBeLessThan(1_000);
  });

  it('disabling a user on A ends its sessions and API tokens on B within 1 s', async () => {
    const admin = await s.createUser({ role: 'admin' });
    const u = await s.createUser();
    const cookie = await s.loginAs(u);
    const bearer = await s.createApiToken(u, ['runtime:read']);
    expect(await viewerOn(b, { cookie })).not.toBeNull();
    expect(await viewerOn(b, { bearer })).not.toBeNull();
    const t0 = Date.now();
    const res = await gql(
      a.url,
      'mutation ($id: ID!) { setUserStatus(id: $id, status: DISABLED) { __typename ... on User { status } } }',
      { id: u.globalId },
      { cookie: await s.loginAs(admin) },
    );
    expect(expectNoGraphQLErrors(res).setUserStatus).toEqual({
      __typename: 'User',
      status: 'DISABLED',
    });
    expect(await msUntilRefused({ cookie }, t0)).toBeLessThan(1_000);
    expect(await msUntilRefused({ bearer }, t0)).toBeLessThan(1_000);
    // Re-enabling restores API-token access, but the revoked sessions stay revoked.
    await gql(
      a.url,
      'mutation ($id: ID!) { setUserStatus(id: $id, status: ACTIVE) { __typename } }',
      { id: u.globalId },
      { cookie: await s.loginAs(admin) },
    );
    await waitFor(
      'token accepted again on B',
      async () => (await viewerOn(b, { bearer })) !== null,
      { timeoutMs: 1_000, intervalMs: 20 },
    );
    expect(await viewerOn(b, { cookie })).toBeNull();
  });

  it('a role change on A is seen by B within 1 s', async () => {
    const admin = await s.createUser({ role: 'admin' });
    const u = await s.createUser();
    const cookie = await s.loginAs(u);
    expect(await viewerOn(b, { cookie })).toMatchObject({ role: 'USER' });
    await gql(
      a.url,
      'mutation ($id: ID!) { setUserRole(id: $id, role: ADMIN) { __typename } }',
      { id: u.globalId },
      { cookie: await s.loginAs(admin) },
    );
    await waitFor(
      'B to see the new role',
      async () => (await viewerOn(b, { cookie }))?.role === 'ADMIN',
      { timeoutMs: 1_000, intervalMs: 20 },
    );
  });

  it('revoking an API token on A refuses it on B within 1 s', async () => {
    const u = await s.createUser();
    const cookie = await s.loginAs(u);
    const created = await gql(
      a.url,
      'mutation { createApiToken(name: "ci", scopes: [RUNTIME_READ]) { ... on CreateApiTokenPayload { token apiToken { id } } } }',
      {},
      { cookie },
    );
    const { token, apiToken } = expectNoGraphQLErrors(created).createApiToken;
    expect(await viewerOn(b, { bearer: token })).toMatchObject({ username: u.username });
    const t0 = Date.now();
    await gql(
      a.url,
      'mutation ($id: ID!) { revokeApiToken(id: $id) { __typename } }',
      { id: apiToken.id },
      { cookie },
    );
    expect(await msUntilRefused({ bearer: token }, t0)).toBeLessThan(1_000);
  });

  it('answers from its cache: no database query per request in steady state', async () => {
    const u = await s.createUser();
    const cookie = await s.loginAs(u);
    const bearer = await s.createApiToken(u, ['runtime:read']);
    await viewerOn(b, { cookie });
    await viewerOn(b, { bearer });
    let queries = 0;
    const em = b.deps.orm.em;
    const original = em.getConnection().execute.bind(em.getConnection());
    const conn = em.getConnection() as unknown as { execute: typeof original };
    conn.execute = ((...args: Parameters<typeof original>) => {
      queries++;
      return original(...args);
    }) as typeof original;
    try {
      for (let i = 0; i < 20; i++) {
        await viewerOn(b, { cookie });
        await viewerOn(b, { bearer });
      }
      expect(queries).toBe(0);
      // The counter does see authentication queries: after a cache flush the next request loads.
      b.deps.authenticator.invalidate(['*']);
      await viewerOn(b, { cookie });
      expect(queries).toBeGreaterThan(0);
    } finally {
      conn.execute = original;
    }
  });

  it('drops its whole cache when the LISTEN connection reconnects (NOTIFYs may have been missed)', async () => {
    const u = await s.createUser();
    await viewerOn(b, { cookie: await s.loginAs(u) });
    expect(b.deps.authenticator.cacheSize).toBeGreaterThan(0);
    await a.deps.orm.em
      .getConnection()
      .execute(
        `select pg_terminate_backend(pid) from pg_stat_activity where query ilike 'listen%' and pid <> pg_backend_pid() and application_name = ''`,
      );
    await waitFor('B cache flushed after reconnect', () => b.deps.authenticator.cacheSize === 0, {
      timeoutMs: 10_000,
    });
  });
});
