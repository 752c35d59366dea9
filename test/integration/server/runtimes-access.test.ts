import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoGraphQLErrors, gql } from '../../testkit/graphql.ts';
import { type SeededUser, seed } from '../../testkit/seed.ts';
import { startTestServer, type TestServer } from '../../testkit/server.ts';
import { condition, countStatements, observe, sql } from './runtimes-fixtures.ts';

// biome-ignore lint/suspicious/noExplicitAny: GraphQL results are checked field by field
type Json = any;

const ERR = '... on Error { code message }';
const START = `mutation($id: ID) { startRuntime(id: $id) { __typename ... on Runtime { id } ${ERR} } }`;
const STOP = `mutation($id: ID!) { stopRuntime(id: $id) { __typename ... on Runtime { id desiredState } ${ERR} } }`;
const RUNTIME = `query($id: ID!) { runtime(id: $id) { __typename ... on Runtime { id owner { username } } } }`;
const LIST = `query($filter: RuntimeFilter, $first: Int, $after: String) {
  runtimes(filter: $filter, first: $first, after: $after) { __typename ${ERR}
    ... on RuntimeConnection { totalCount pageInfo { hasNextPage endCursor }
      edges { cursor node { id openUrl progress owner { username }
        status { phase ready message upToDate conditions { type status } } } } } } }`;

let server: TestServer;
let alice: SeededUser;
let bob: SeededUser;
let root: SeededUser;
const cookies: Record<string, string> = {};
const ids: Record<string, string> = {};

async function as(
  who: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<Json> {
  const data = expectNoGraphQLErrors(
    await gql(server.url, query, variables, { cookie: cookies[who] }),
  );
  return Object.values(data as object)[0];
}

beforeAll(async () => {
  server = await startTestServer();
  const { createUser, loginAs } = seed(server);
  alice = await createUser({ username: 'alice' });
  bob = await createUser({ username: 'bob' });
  root = await createUser({ username: 'root', role: 'admin' });
  for (const u of [alice, bob, root]) cookies[u.username] = await loginAs(u);
  ids.alice = (await as('alice', START)).id;
  ids.bob = (await as('bob', START)).id;
});
afterAll(() => server?.stop());

describe('who may act on a runtime', () => {
  it('a user cannot touch another user’s runtime, and the refusal is audited', async () => {
    for (const q of [STOP, START]) {
      expect(await as('bob', q, { id: ids.alice })).toMatchObject({ __typename: 'ForbiddenError' });
    }
    const raw = Buffer.from(ids.alice as string, 'base64')
      .toString()
      .split(':')[1];
    const denied = await sql(
      server,
      `select action, actor_label from audit_events where result = 'denied' and target_id = ? order by id`,
      [raw],
    );
    expect(denied).toEqual([
      { action: 'runtime.stop', actor_label: 'bob' },
      { action: 'runtime.start', actor_label: 'bob' },
    ]);
    expect(await as('bob', RUNTIME, { id: ids.alice })).toBeNull();
  });

  it('an admin may act on any runtime', async () => {
    expect(await as('root', STOP, { id: ids.alice })).toMatchObject({ desiredState: 'STOPPED' });
    expect(await as('root', RUNTIME, { id: ids.alice })).toMatchObject({
      owner: { username: 'alice' },
    });
    const raw = Buffer.from(ids.alice as string, 'base64')
      .toString()
      .split(':')[1];
    const [event] = await sql(
      server,
      'select message from runtime_events where runtime_id = ? order by id desc limit 1',
      [raw],
    );
    expect(event?.message).toBe('Stop requested by root');
  });

  it('an API token needs runtime:write to change a runtime', async () => {
    const token = await seed(server).createApiToken(alice, ['runtime:read']);
    const res = await gql(server.url, START, {}, { bearer: token });
    expect(res.data?.startRuntime).toMatchObject({
      __typename: 'ForbiddenError',
      code: 'INSUFFICIENT_SCOPE',
    });
    const mine = await gql(
      server.url,
      '{ myRuntime { ... on Runtime { id } } }',
      {},
      { bearer: token },
    );
    expect(mine.data?.myRuntime?.id).toBe(ids.alice);
  });

  it('users list their own runtimes; admins list and filter all', async () => {
    const own = await as('bob', LIST);
    expect(own.edges.map((e: Json) => e.node.owner.username)).toEqual(['bob']);
    expect((await as('bob', LIST, { filter: { ownerId: alice.globalId } })).edges).toEqual([]);
    const all = await as('root', LIST);
    expect(all.totalCount).toBe(2);
    const onlyAlice = await as('root', LIST, { filter: { ownerId: alice.globalId } });
    expect(onlyAlice.edges.map((e: Json) => e.node.id)).toEqual([ids.alice]);
    const pending = await as('root', LIST, { filter: { phases: ['PENDING'] } });
    expect(pending.totalCount).toBe(2);
    expect((await as('root', LIST, { filter: { phases: ['RUNNING'] } })).totalCount).toBe(0);
  });

  it('status is derived from conditions; openUrl uses the owner’s host label; endpoint stays internal', async () => {
    const raw = Buffer.from(ids.bob as string, 'base64')
      .toString()
      .split(':')[1] as string;
    await observe(server, raw, {
      phase: 'Running',
      endpoint: 'http://127.0.0.1:19999',
      conditions: [
        condition('Scheduled', 'True'),
        condition('Started', 'True'),
        condition('Ready', 'True', 'Gateway answers.'),
      ],
    });
    const [edge] = (await as('bob', LIST)).edges;
    expect(edge.node).toMatchObject({
      openUrl: 'http://u-bob.localhost:8080',
      progress: 100,
      status: { phase: 'RUNNING', ready: true, upToDate: true, message: 'Gateway answers.' },
    });
    const type = await as('bob', '{ __type(name: "Runtime") { fields { name } } }');
    expect(type.fields.map((f: Json) => f.name)).not.toContain('endpoint');
  });

  it('disabling a user stops its runtimes in the same transaction (stopRuntimesOfUser)', async () => {
    await as('bob', START);
    const res = await as(
      'root',
      `mutation($id: ID!) { setUserStatus(id: $id, status: DISABLED) { __typename } }`,
      { id: bob.globalId },
    );
    expect(res.__typename).toBe('User');
    const raw = Buffer.from(ids.bob as string, 'base64')
      .toString()
      .split(':')[1];
    const [row] = await sql(server, 'select desired_state, generation from runtimes where id = ?', [
      raw,
    ]);
    expect(row?.desired_state).toBe('stopped');
    const [event] = await sql(
      server,
      'select reason, message from runtime_events where runtime_id = ? order by id desc limit 1',
      [raw],
    );
    expect(event).toEqual({
      reason: 'OwnerDisabled',
      message: 'Stopped by root: the owner was disabled',
    });
  });
});

describe('dashboard query cost', () => {
  it.each([10, 200])('lists %i runtimes with owners in at most 3 SQL statements', async (n) => {
    await seedRuntimes(server, n);
    await as('root', LIST, { first: 1 }); // warm the session cache: auth is not the query's cost
    const { result, statements } = await countStatements(server, () =>
      as('root', LIST, { first: 1000 }),
    );
    expect(result.edges.length).toBeGreaterThanOrEqual(n);
    expect(
      new Set(result.edges.map((e: Json) => e.node.owner.username)).size,
    ).toBeGreaterThanOrEqual(n);
    // page + owners (one batched load) + totalCount, whatever n is
    expect(statements.length, statements.join('\n')).toBeLessThanOrEqual(3);
  });

  it('pages with stable keyset cursors', async () => {
    const first = await as('root', LIST, { first: 5 });
    const second = await as('root', LIST, { first: 5, after: first.pageInfo.endCursor });
    expect(first.pageInfo.hasNextPage).toBe(true);
    const seen = new Set([...first.edges, ...second.edges].map((e: Json) => e.node.id));
    expect(seen.size).toBe(10);
  });
});

/** `n` users with one runtime each, straight in SQL (fast; no events). */
async function seedRuntimes(s: TestServer, n: number): Promise<void> {
  const tag = crypto.randomUUID().slice(0, 8);
  await sql(
    s,
    `with u as (
       insert into users (id, username, username_key, role, status, must_change_password, created_at, updated_at)
       select gen_random_uuid(), 'load-' || ? || '-' || g, 'load-' || ? || '-' || g, 'user', 'active', false, now(), now()
         from generate_series(1, ?) g returning id)
     insert into runtimes (id, owner_id, created_at, desired_state, generation, retention_policy, profile,
                           runtime_version, restart_nonce, spec_updated_at)
     select gen_random_uuid(), u.id, now(), 'running', 1, 'preserve', 'default', '', 0, now() from u`,
    [tag, tag, n],
  );
}
