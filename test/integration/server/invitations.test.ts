import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoGraphQLErrors, gql, sessionCookie } from '../../testkit/graphql.ts';
import { type Seeder, seed } from '../../testkit/seed.ts';
import { startTestServer, type TestServer } from '../../testkit/server.ts';

const CREATE = `mutation ($role: UserRole!, $lock: String, $h: Int!) {
  createInvitation(role: $role, usernameLock: $lock, expiresInHours: $h) {
    __typename
    ... on CreateInvitationPayload { token url invitation { id state role usernameLock } }
    ... on Error { code }
  }
}`;
const PREVIEW =
  'query ($t: String!) { invitationPreview(token: $t) { state usernameLock role expiresAt } }';
const ACCEPT = `mutation ($t: String!, $u: String!, $p: String!) {
  acceptInvitation(token: $t, username: $u, password: $p) {
    __typename
    ... on AcceptInvitationPayload { replayed redirectTo viewer { username role } }
    ... on Error { code }
    ... on InvalidInputError { fieldErrors { path message } }
  }
}`;
const REVOKE =
  'mutation ($id: ID!) { revokeInvitation(id: $id) { __typename ... on Invitation { state } ... on Error { code } } }';

let server: TestServer;
let s: Seeder;
let admin: string;
beforeAll(async () => {
  server = await startTestServer();
  s = seed(server);
  admin = await s.loginAs(await s.createUser({ role: 'admin' }));
});
afterAll(() => server?.stop());

async function invite(role = 'USER', lock: string | null = null) {
  const res = await gql(server.url, CREATE, { role, lock, h: 24 }, { cookie: admin });
  return expectNoGraphQLErrors(res).createInvitation;
}

describe('invitations', () => {
  it('returns the token and link once, stores only a hash, previews publicly', async () => {
    const inv = await invite('ADMIN', 'Carol');
    expect(inv.url).toBe(`http://localhost:8080/invite/${inv.token}`);
    expect(inv.invitation).toMatchObject({ state: 'VALID', role: 'ADMIN', usernameLock: 'Carol' });
    const rows = await server.deps.orm.em
      .fork()
      .getConnection()
      .execute('select token_hash from invitations where id = ?', [inv.invitation.id]);
    expect(rows[0]?.token_hash).not.toContain(inv.token);
    const listed = await gql(
      server.url,
      '{ invitations { ... on QueryInvitationsSuccess { data { id } } } }',
      {},
      { cookie: admin },
    );
    expect(JSON.stringify(listed.data)).not.toContain(inv.token);
    const preview = expectNoGraphQLErrors(
      await gql(server.url, PREVIEW, { t: inv.token }),
    ).invitationPreview;
    expect(preview).toMatchObject({ state: 'VALID', usernameLock: 'Carol', role: 'ADMIN' });
    expect(
      expectNoGraphQLErrors(await gql(server.url, PREVIEW, { t: 'nope' })).invitationPreview.state,
    ).toBe('NOT_FOUND');
  });

  it('accept creates the user with the invitation role, signs in, and is idempotent for the same user', async () => {
    const inv = await invite('ADMIN');
    const first = await gql(server.url, ACCEPT, { t: inv.token, u: 'dave', p: 'Dave-pass-1' });
    expect(expectNoGraphQLErrors(first).acceptInvitation).toMatchObject({
      __typename: 'AcceptInvitationPayload',
      replayed: false,
      redirectTo: '/admin',
      viewer: { username: 'dave', role: 'ADMIN' },
    });
    expect(sessionCookie(first)).toBeTruthy();
    const again = await gql(server.url, ACCEPT, { t: inv.token, u: 'Dave', p: 'Dave-pass-1' });
    expect(expectNoGraphQLErrors(again).acceptInvitation).toMatchObject({ replayed: true });
    expect(sessionCookie(again)).toBeTruthy();
    expect(
      expectNoGraphQLErrors(await gql(server.url, PREVIEW, { t: inv.token })).invitationPreview
        .state,
    ).toBe('CONSUMED');
  });

  it('refuses a consumed invitation to anyone else (other username, or wrong password)', async () => {
    const inv = await invite();
    await gql(server.url, ACCEPT, { t: inv.token, u: 'erin', p: 'Erin-pass-1' });
    for (const [u, p] of [
      ['mallory', 'Mallory-pass-1'],
      ['erin', 'Guess-pass-1'],
    ]) {
      const res = await gql(server.url, ACCEPT, { t: inv.token, u, p });
      expect(expectNoGraphQLErrors(res).acceptInvitation).toEqual({
        __typename: 'ConflictError',
        code: 'INVITATION_CONSUMED',
      });
      expect(res.setCookies).toEqual([]);
    }
  });

  it('refuses expired and revoked invitations with typed errors', async () => {
    const expired = await s.createInvitation({ expiresAt: new Date(Date.now() - 1000) });
    const revoked = await s.createInvitation({ status: 'revoked' });
    const a = await gql(server.url, ACCEPT, { t: expired.token, u: 'frank', p: 'Frank-pass-1' });
    expect(expectNoGraphQLErrors(a).acceptInvitation).toEqual({
      __typename: 'ConflictError',
      code: 'INVITATION_EXPIRED',
    });
    const b = await gql(server.url, ACCEPT, { t: revoked.token, u: 'frank', p: 'Frank-pass-1' });
    expect(expectNoGraphQLErrors(b).acceptInvitation).toEqual({
      __typename: 'ConflictError',
      code: 'INVITATION_REVOKED',
    });
    expect(
      expectNoGraphQLErrors(await gql(server.url, PREVIEW, { t: expired.token })).invitationPreview
        .state,
    ).toBe('EXPIRED');
    expect(
      expectNoGraphQLErrors(await gql(server.url, PREVIEW, { t: revoked.token })).invitationPreview
        .state,
    ).toBe('REVOKED');
    const unknown = await gql(server.url, ACCEPT, {
      t: 'no-such-token',
      u: 'frank',
      p: 'Frank-pass-1',
    });
    expect(expectNoGraphQLErrors(unknown).acceptInvitation).toEqual({
      __typename: 'NotFoundError',
      code: 'NOT_FOUND',
    });
  });

  it('enforces the username lock, the username rules, the password policy and unique usernames', async () => {
    const locked = await invite('USER', 'grace');
    const wrong = await gql(server.url, ACCEPT, { t: locked.token, u: 'heidi', p: 'Heidi-pass-1' });
    expect(expectNoGraphQLErrors(wrong).acceptInvitation.fieldErrors).toEqual([
      { path: 'username', message: 'must be grace' },
    ]);
    const open = await invite();
    const bad = await gql(server.url, ACCEPT, { t: open.token, u: '-x', p: 'short' });
    const paths = expectNoGraphQLErrors(bad).acceptInvitation.fieldErrors.map(
      (e: { path: string }) => e.path,
    );
    expect(paths).toEqual(expect.arrayContaining(['username', 'password']));
    await s.createUser({ username: 'ivan' });
    const taken = await gql(server.url, ACCEPT, { t: open.token, u: 'IVAN', p: 'Ivan-pass-1' });
    expect(expectNoGraphQLErrors(taken).acceptInvitation).toEqual({
      __typename: 'ConflictError',
      code: 'USERNAME_TAKEN',
    });
    // None of the refusals consumed it.
    expect(
      expectNoGraphQLErrors(await gql(server.url, PREVIEW, { t: open.token })).invitationPreview
        .state,
    ).toBe('VALID');
  });

  it('revokes a pending invitation but never a consumed one', async () => {
    const pending = await invite();
    expect(
      expectNoGraphQLErrors(
        await gql(server.url, REVOKE, { id: pending.invitation.id }, { cookie: admin }),
      ).revokeInvitation,
    ).toEqual({ __typename: 'Invitation', state: 'REVOKED' });
    const used = await invite();
    await gql(server.url, ACCEPT, { t: used.token, u: 'judy', p: 'Judy-pass-1' });
    const res = await gql(server.url, REVOKE, { id: used.invitation.id }, { cookie: admin });
    expect(expectNoGraphQLErrors(res).revokeInvitation).toEqual({
      __typename: 'ConflictError',
      code: 'INVITATION_CONSUMED',
    });
    const missing = await gql(server.url, REVOKE, { id: 'not-a-uuid' }, { cookie: admin });
    expect(expectNoGraphQLErrors(missing).revokeInvitation).toEqual({
      __typename: 'NotFoundError',
      code: 'NOT_FOUND',
    });
  });

  it('audits creation, acceptance and refusals', async () => {
    const res = await gql(
      server.url,
      '{ auditEvents(first: 100, action: "invitation.accept") { ... on QueryAuditEventsSuccess { data { edges { node { result actorLabel detail } } } } } }',
      {},
      { cookie: admin },
    );
    const nodes = expectNoGraphQLErrors(res).auditEvents.data.edges.map(
      (e: { node: unknown }) => e.node,
    );
    expect(nodes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ result: 'OK', actorLabel: 'dave', detail: { replayed: true } }),
        expect.objectContaining({
          result: 'DENIED',
          actorLabel: 'mallory',
          detail: { reason: 'INVITATION_CONSUMED' },
        }),
      ]),
    );
    expect(JSON.stringify(nodes)).not.toMatch(/pass-1/);
  });
});
