import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../../schema/entities/runtime.entity.ts';
import { User } from '../../../schema/entities/user.entity.ts';
import { expectNoGraphQLErrors, gql } from '../../testkit/graphql.ts';
import { type Seeder, seed } from '../../testkit/seed.ts';
import { startTestServer, type TestServer } from '../../testkit/server.ts';
import { waitFor } from '../../testkit/wait.ts';

const SET_STATUS =
  'mutation ($id: ID!, $s: UserStatus!) { setUserStatus(id: $id, status: $s) { __typename ... on User { status } ... on Error { code } } }';
const SET_ROLE =
  'mutation ($id: ID!, $r: UserRole!) { setUserRole(id: $id, role: $r) { __typename ... on User { role } ... on Error { code } } }';

let server: TestServer;
let s: Seeder;
beforeAll(async () => {
  server = await startTestServer();
  s = seed(server);
});
afterAll(() => server?.stop());

describe('user administration', () => {
  it('an admin cannot change its own status or role', async () => {
    const admin = await s.createUser({ role: 'admin' });
    const cookie = await s.loginAs(admin);
    for (const [q, v] of [
      [SET_STATUS, { s: 'DISABLED' }],
      [SET_ROLE, { r: 'USER' }],
    ] as const) {
      const res = await gql(server.url, q, { id: admin.globalId, ...v }, { cookie });
      expect(Object.values(expectNoGraphQLErrors(res))[0]).toEqual({
        __typename: 'ForbiddenError',
        code: 'CANNOT_CHANGE_SELF',
      });
    }
  });

  it('two admins demoting each other at once leave one admin standing', async () => {
    const [a, b] = [await s.createUser({ role: 'admin' }), await s.createUser({ role: 'admin' })];
    const [ca, cb] = [await s.loginAs(a), await s.loginAs(b)];
    const results = await Promise.all([
      gql(server.url, SET_ROLE, { id: b.globalId, r: 'USER' }, { cookie: ca }),
      gql(server.url, SET_ROLE, { id: a.globalId, r: 'USER' }, { cookie: cb }),
    ]);
    const types = results.map((r) => expectNoGraphQLErrors(r).setUserRole.__typename).sort();
    expect(types).toEqual(['ForbiddenError', 'User']);
    const admins = await server.deps.orm.em
      .fork()
      .count(User, { id: { $in: [a.id, b.id] }, role: 'admin' });
    expect(admins).toBe(1);
  });

  it("disabling stops the user's runtimes in the same transaction", async () => {
    const admin = await s.createUser({ role: 'admin' });
    const u = await s.createUser();
    const em = server.deps.orm.em.fork();
    const rt = em.create(Runtime, { owner: em.getReference(User, u.id), desiredState: 'running' });
    await em.flush();
    const res = await gql(
      server.url,
      SET_STATUS,
      { id: u.globalId, s: 'DISABLED' },
      { cookie: await s.loginAs(admin) },
    );
    expect(expectNoGraphQLErrors(res).setUserStatus).toEqual({
      __typename: 'User',
      status: 'DISABLED',
    });
    const after = await server.deps.orm.em.fork().findOneOrFail(Runtime, { id: rt.id });
    expect(after.desiredState).toBe('stopped');
  });

  it('lists users with filters and search, paginated', async () => {
    const admin = await s.createUser({ role: 'admin' });
    await s.createUser({ username: 'zed-search-1', email: 'zed@example.com' });
    await s.createUser({ username: 'zed-search-2', status: 'disabled' });
    const q = `query ($search: String, $status: UserStatus) { users(first: 10, search: $search, status: $status) {
      ... on QueryUsersSuccess { data { edges { node { username status } } pageInfo { hasNextPage } } } } }`;
    const cookie = await s.loginAs(admin);
    const all = expectNoGraphQLErrors(
      await gql(server.url, q, { search: 'ZED-search' }, { cookie }),
    ).users.data;
    expect(all.edges.map((e: { node: { username: string } }) => e.node.username)).toEqual([
      'zed-search-1',
      'zed-search-2',
    ]);
    const byEmail = expectNoGraphQLErrors(await gql(server.url, q, { search: 'zed@' }, { cookie }))
      .users.data;
    expect(byEmail.edges).toHaveLength(1);
    const disabled = expectNoGraphQLErrors(
      await gql(server.url, q, { search: 'zed', status: 'DISABLED' }, { cookie }),
    ).users.data;
    expect(disabled.edges).toEqual([{ node: { username: 'zed-search-2', status: 'DISABLED' } }]);
    const wild = expectNoGraphQLErrors(await gql(server.url, q, { search: '%' }, { cookie })).users
      .data;
    expect(wild.edges).toEqual([]);
  });

  it('filters the audit log by action, actor and result, newest first', async () => {
    const admin = await s.createUser({ role: 'admin' });
    const cookie = await s.loginAs(admin);
    const victim = await s.createUser();
    await gql(server.url, SET_ROLE, { id: victim.globalId, r: 'ADMIN' }, { cookie });
    await gql(server.url, SET_ROLE, { id: victim.globalId, r: 'USER' }, { cookie });
    const q = `query ($actor: ID) { auditEvents(first: 1, action: "user.setRole", actor: $actor, result: OK) {
      ... on QueryAuditEventsSuccess { data { edges { node { action actorLabel targetId detail actor { username } } } pageInfo { hasNextPage endCursor } } } } }`;
    const page = expectNoGraphQLErrors(
      await gql(server.url, q, { actor: admin.globalId }, { cookie }),
    ).auditEvents.data;
    expect(page.edges[0].node).toMatchObject({
      action: 'user.setRole',
      actorLabel: admin.username,
      targetId: victim.id,
      detail: { from: 'admin', to: 'user' },
      actor: { username: admin.username },
    });
    expect(page.pageInfo.hasNextPage).toBe(true);
  });
});

describe('API tokens', () => {
  const CREATE =
    'mutation ($s: [ApiTokenScope!]!, $d: Int) { createApiToken(name: "ci", scopes: $s, expiresInDays: $d) { __typename ... on CreateApiTokenPayload { token apiToken { id scopes expiresAt active } } ... on InvalidInputError { fieldErrors { path } } } }';

  it('is shown once, acts as its owner narrowed to its scopes, and records lastUsedAt', async () => {
    const admin = await s.createUser({ role: 'admin' });
    const cookie = await s.loginAs(admin);
    const created = expectNoGraphQLErrors(
      await gql(server.url, CREATE, { s: ['USERS_READ'], d: 30 }, { cookie }),
    ).createApiToken;
    expect(created.token).toMatch(/^clt_[A-Za-z0-9_-]{43}$/);
    expect(created.apiToken).toMatchObject({ scopes: ['USERS_READ'], active: true });
    const listed = await gql(
      server.url,
      '{ apiTokens { ... on QueryApiTokensSuccess { data { id name } } } }',
      {},
      { cookie },
    );
    expect(listed.text).not.toContain(created.token);
    const viewer = expectNoGraphQLErrors(
      await gql(
        server.url,
        '{ viewer { username authMethod scopes } }',
        {},
        { bearer: created.token },
      ),
    ).viewer;
    expect(viewer).toEqual({
      username: admin.username,
      authMethod: 'API_TOKEN',
      scopes: ['USERS_READ'],
    });
    const users = await gql(
      server.url,
      '{ users(first: 1) { __typename } }',
      {},
      { bearer: created.token },
    );
    expect(expectNoGraphQLErrors(users).users.__typename).toBe('QueryUsersSuccess');
    const write = await gql(
      server.url,
      SET_ROLE,
      { id: admin.globalId, r: 'USER' },
      { bearer: created.token },
    );
    expect(expectNoGraphQLErrors(write).setUserRole.__typename).toBe('ForbiddenError');
    await waitFor(
      'lastUsedAt recorded',
      async () => {
        const row = await server.deps.orm.em
          .fork()
          .getConnection()
          .execute('select last_used_at from api_tokens where id = ?', [created.apiToken.id]);
        return row[0]?.last_used_at !== null;
      },
      { timeoutMs: 2_000 },
    );
  });

  it('refuses expired tokens, bad input and foreign revocations', async () => {
    const u = await s.createUser();
    const expired = await s.createApiToken(u, ['runtime:read'], {
      expiresAt: new Date(Date.now() - 1000),
    });
    expect(
      expectNoGraphQLErrors(
        await gql(server.url, '{ viewer { username } }', {}, { bearer: expired }),
      ).viewer,
    ).toBeNull();
    const cookie = await s.loginAs(u);
    const bad = await gql(server.url, CREATE, { s: [], d: 0 }, { cookie });
    expect(
      expectNoGraphQLErrors(bad).createApiToken.fieldErrors.map((e: { path: string }) => e.path),
    ).toEqual(['scopes', 'expiresInDays']);
    const mine = expectNoGraphQLErrors(
      await gql(server.url, CREATE, { s: ['RUNTIME_READ'] }, { cookie }),
    ).createApiToken;
    const other = await s.loginAs(await s.createUser());
    const res = await gql(
      server.url,
      'mutation ($id: ID!) { revokeApiToken(id: $id) { __typename } }',
      { id: mine.apiToken.id },
      { cookie: other },
    );
    expect(expectNoGraphQLErrors(res).revokeApiToken.__typename).toBe('NotFoundError');
  });
});
