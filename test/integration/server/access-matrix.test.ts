import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GqlAuth, type GqlResponse, gql } from '../../testkit/graphql.ts';
import { type SeededUser, seed } from '../../testkit/seed.ts';
import { startTestServer, type TestServer } from '../../testkit/server.ts';

/**
 * Who may do what: every operation of the auth surface against every kind of caller. Outcomes:
 * `ok` (authorised; for `changePassword` a wrong current password is `invalid`, which still means the
 * call got past authorisation), `unauth`, `forbidden`, or `null` (nullable fields that hide data).
 */
type Actor =
  | 'anon'
  | 'user'
  | 'other'
  | 'admin'
  | 'disabled'
  | 'mustChange'
  | 'revoked'
  | 'tokenWith'
  | 'tokenWithout';
type Outcome = 'ok' | 'unauth' | 'forbidden' | 'null' | 'invalid';

interface Fixture {
  user: SeededUser;
  victim: SeededUser;
}

interface Operation {
  name: string;
  query: string;
  variables?: (f: Fixture) => Record<string, unknown>;
  expect: Record<Actor, Outcome>;
}

const ADMIN_ONLY = {
  anon: 'unauth',
  user: 'forbidden',
  other: 'forbidden',
  admin: 'ok',
  disabled: 'unauth',
  mustChange: 'forbidden',
  revoked: 'unauth',
  tokenWith: 'ok',
  tokenWithout: 'forbidden',
} as const;
const MEMBER = {
  anon: 'unauth',
  user: 'ok',
  other: 'ok',
  admin: 'ok',
  disabled: 'unauth',
  mustChange: 'forbidden',
  revoked: 'unauth',
  tokenWith: 'ok',
  tokenWithout: 'ok',
} as const;
const PUBLIC = {
  anon: 'ok',
  user: 'ok',
  other: 'ok',
  admin: 'ok',
  disabled: 'ok',
  mustChange: 'ok',
  revoked: 'ok',
  tokenWith: 'ok',
  tokenWithout: 'ok',
} as const;

const OPERATIONS: Operation[] = [
  {
    name: 'viewer',
    query: '{ viewer { __typename } }',
    expect: { ...MEMBER, mustChange: 'ok', anon: 'null', disabled: 'null', revoked: 'null' },
  },
  { name: 'users', query: '{ users(first: 5) { __typename } }', expect: ADMIN_ONLY },
  { name: 'invitations', query: '{ invitations { __typename } }', expect: ADMIN_ONLY },
  { name: 'auditEvents', query: '{ auditEvents(first: 5) { __typename } }', expect: ADMIN_ONLY },
  { name: 'apiTokens', query: '{ apiTokens { __typename } }', expect: MEMBER },
  {
    name: 'invitationPreview',
    query: '{ invitationPreview(token: "nope") { __typename } }',
    expect: PUBLIC,
  },
  {
    name: 'user(self)',
    query: 'query ($id: ID!) { user(id: $id) { __typename } }',
    variables: (f) => ({ id: f.user.globalId }),
    expect: { ...MEMBER, other: 'forbidden', mustChange: 'forbidden', tokenWithout: 'forbidden' },
  },
  {
    name: 'user(other)',
    query: 'query ($id: ID!) { user(id: $id) { __typename } }',
    variables: (f) => ({ id: f.victim.globalId }),
    expect: ADMIN_ONLY,
  },
  {
    name: 'node(other)',
    query: 'query ($id: ID!) { node(id: $id) { __typename } }',
    variables: (f) => ({ id: f.victim.globalId }),
    expect: {
      anon: 'null',
      user: 'null',
      other: 'null',
      admin: 'ok',
      disabled: 'null',
      mustChange: 'null',
      revoked: 'null',
      tokenWith: 'ok',
      tokenWithout: 'null',
    },
  },
  {
    name: 'createInvitation',
    query: 'mutation { createInvitation(role: USER, expiresInHours: 1) { __typename } }',
    expect: ADMIN_ONLY,
  },
  {
    name: 'setUserRole',
    query: 'mutation ($id: ID!) { setUserRole(id: $id, role: USER) { __typename } }',
    variables: (f) => ({ id: f.victim.globalId }),
    expect: ADMIN_ONLY,
  },
  {
    name: 'createRuntimeProfile',
    query: `mutation { createRuntimeProfile(input: { name: "m", displayName: "M", cpuRequest: "1",
      cpuLimit: "1", memoryMiB: 1024, diskGiB: 1 }) { __typename } }`,
    expect: ADMIN_ONLY,
  },
  {
    name: 'setUserRuntimeLimit',
    query:
      'mutation ($id: ID!) { setUserRuntimeLimit(id: $id, maxRunningRuntimes: 2) { __typename } }',
    variables: (f) => ({ id: f.victim.globalId }),
    expect: ADMIN_ONLY,
  },
  {
    name: 'createApiToken',
    query: 'mutation { createApiToken(name: "t", scopes: [RUNTIME_READ]) { __typename } }',
    expect: { ...MEMBER, tokenWith: 'forbidden', tokenWithout: 'forbidden' },
  },
  {
    name: 'changePassword',
    query:
      'mutation { changePassword(currentPassword: "wrong-1", newPassword: "Whatever-9") { __typename } }',
    expect: {
      anon: 'unauth',
      user: 'invalid',
      other: 'invalid',
      admin: 'invalid',
      disabled: 'unauth',
      mustChange: 'invalid',
      revoked: 'unauth',
      tokenWith: 'forbidden',
      tokenWithout: 'forbidden',
    },
  },
];

function outcome(res: GqlResponse<Record<string, { __typename: string } | null>>): string {
  if (res.errors?.length) return `error:${String(res.errors[0]?.extensions?.code)}`;
  const value = Object.values(res.data ?? {})[0];
  if (value === null || value === undefined) return 'null';
  const names: Record<string, Outcome> = {
    UnauthenticatedError: 'unauth',
    ForbiddenError: 'forbidden',
    InvalidInputError: 'invalid',
  };
  return names[value.__typename] ?? 'ok';
}

let server: TestServer;
let fixture: Fixture;
const auth = {} as Record<Actor, GqlAuth>;

beforeAll(async () => {
  server = await startTestServer();
  const s = seed(server);
  const [user, other, admin, disabled, mustChange, revokedUser, victim] = await Promise.all([
    s.createUser(),
    s.createUser(),
    s.createUser({ role: 'admin' }),
    s.createUser({ status: 'disabled' }),
    s.createUser({ role: 'admin', mustChangePassword: true }),
    s.createUser(),
    s.createUser(),
  ]);
  fixture = { user, victim };
  const revoked = await s.loginAs(revokedUser);
  await gql(server.url, 'mutation { logout }', {}, { cookie: revoked });
  Object.assign(auth, {
    anon: {},
    user: { cookie: await s.loginAs(user) },
    other: { cookie: await s.loginAs(other) },
    admin: { cookie: await s.loginAs(admin) },
    disabled: { cookie: await s.loginAs(disabled) },
    mustChange: { cookie: await s.loginAs(mustChange) },
    revoked: { cookie: revoked },
    tokenWith: {
      bearer: await s.createApiToken(admin, ['users:read', 'users:write', 'audit:read']),
    },
    tokenWithout: { bearer: await s.createApiToken(admin, ['runtime:read']) },
  });
});
afterAll(() => server?.stop());

describe('access matrix', () => {
  const cases = OPERATIONS.flatMap((op) =>
    (Object.keys(op.expect) as Actor[]).map((actor) => ({ op, actor })),
  );
  it.each(cases.map((c) => [c.op.name, c.actor, c.op.expect[c.actor], c] as const))(
    '%s as %s → %s',
    async (_n, actor, expected, { op }) => {
      const res = await gql(server.url, op.query, op.variables?.(fixture), auth[actor]);
      expect(res.text).not.toMatch(/\bat .+\.ts:\d+/); // never a stack trace
      expect(outcome(res)).toBe(expected);
    },
  );

  it('tells a must-change-password viewer why it is refused', async () => {
    const res = await gql(
      server.url,
      '{ users(first: 1) { ... on Error { code } } }',
      {},
      auth.mustChange,
    );
    expect(res.data?.users).toEqual({ code: 'PASSWORD_CHANGE_REQUIRED' });
  });

  it('audits refused mutations with the reason', async () => {
    await gql(
      server.url,
      'mutation { createInvitation(role: ADMIN, expiresInHours: 1) { __typename } }',
      {},
      auth.user,
    );
    const rows = await server.deps.orm.em
      .fork()
      .getConnection()
      .execute(
        `select detail->>'reason' as reason from audit_events where action = 'invitation.create' and result = 'denied'`,
      );
    expect(rows.map((r) => r.reason)).toEqual(
      expect.arrayContaining(['FORBIDDEN', 'UNAUTHENTICATED', 'PASSWORD_CHANGE_REQUIRED']),
    );
  });
});
