import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GqlAuth, gql } from '../../testkit/graphql.ts';
import { type SeededUser, seed } from '../../testkit/seed.ts';
import { startTestServer, type TestServer } from '../../testkit/server.ts';
import { globalRuntimeId, sql } from './runtimes-fixtures.ts';

const RESULT = `__typename ... on Runtime { id desiredState }
  ... on RuntimeLimitExceededError { scope limit current } ... on Error { code message }`;
const START = `mutation($id: ID) { startRuntime(id: $id) { ${RESULT} } }`;
const RESTART = `mutation($id: ID!) { restartRuntime(id: $id) { ${RESULT} } }`;
const STOP = `mutation($id: ID!) { stopRuntime(id: $id) {
  __typename ... on Runtime { id desiredState } ... on Error { code message } } }`;
const SET_LIMIT = `mutation($id: ID!, $max: Int) { setUserRuntimeLimit(id: $id, maxRunningRuntimes: $max) {
  __typename ... on User { maxRunningRuntimes } ... on Error { code } } }`;
const LIMITS =
  '{ runtimeLimits { ... on QueryRuntimeLimitsSuccess { data { maxRunning maxRunningPerUser running } } } }';

// biome-ignore lint/suspicious/noExplicitAny: GraphQL results are checked field by field
type Json = any;

const LIMIT = 3;

/**
 * Running-runtime limits, enforced by two server replicas on one database (MAX_RUNNING_RUNTIMES=3):
 * starts over a limit are refused with a typed error and change nothing, and two starts racing for
 * the last slot through different replicas never both win.
 */
describe('running-runtime limits', () => {
  let a: TestServer;
  let b: TestServer;
  let admin: GqlAuth;
  const users: { user: SeededUser; auth: GqlAuth }[] = [];

  beforeAll(async () => {
    const env = { MAX_RUNNING_RUNTIMES: String(LIMIT) };
    a = await startTestServer({ env });
    b = await startTestServer({ env, databaseUrl: a.databaseUrl });
    const s = seed(a);
    admin = { cookie: await s.loginAs(await s.createUser({ role: 'admin' })) };
    for (let i = 0; i < 14; i++) {
      const user = await s.createUser({ username: `limit-${i}` });
      users.push({ user, auth: { cookie: await s.loginAs(user) } });
    }
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  async function call(server: TestServer, auth: GqlAuth, query: string, vars = {}): Promise<Json> {
    const res = await gql(server.url, query, vars, auth);
    if (res.errors?.length) throw new Error(JSON.stringify(res.errors));
    return Object.values(res.data as object)[0];
  }
  const running = async () =>
    Number(
      (await sql(a, `select count(*) as n from runtimes where desired_state = 'running'`))[0]?.n,
    );
  const runtimeOf = async (u: SeededUser) =>
    globalRuntimeId(
      String((await sql(a, 'select id from runtimes where owner_id = ?', [u.id]))[0]?.id),
    );
  const at = (i: number) => users[i] as { user: SeededUser; auth: GqlAuth };

  it('refuses a start over the global limit with the limit, the count and words; nothing changes', async () => {
    for (const i of [0, 1, 2])
      expect(await call(a, at(i).auth, START)).toMatchObject({ desiredState: 'RUNNING' });
    const refused = await call(b, at(3).auth, START);
    expect(refused).toEqual({
      __typename: 'RuntimeLimitExceededError',
      scope: 'GLOBAL',
      limit: 3,
      current: 3,
      code: 'RUNTIME_LIMIT_EXCEEDED',
      message:
        'This ClawLoops runs at most 3 runtimes at once, and 3 are running. Try again when one stops, or ask an administrator to raise the limit.',
    });
    expect(await sql(a, 'select id from runtimes where owner_id = ?', [at(3).user.id])).toEqual([]);
    expect(await running()).toBe(3);
    expect(await call(a, admin, LIMITS)).toEqual({
      data: { maxRunning: 3, maxRunningPerUser: 1, running: 3 },
    });
  });

  it('a stopped runtime is counted again when started or restarted; a running one never twice', async () => {
    const zero = await runtimeOf(at(0).user);
    expect(await call(a, at(0).auth, START, { id: zero })).toMatchObject({ __typename: 'Runtime' });
    expect(await call(a, at(0).auth, RESTART, { id: zero })).toMatchObject({
      __typename: 'Runtime',
    });
    expect(await call(a, at(0).auth, STOP, { id: zero })).toMatchObject({
      desiredState: 'STOPPED',
    });
    expect(await call(b, at(3).auth, START)).toMatchObject({ desiredState: 'RUNNING' });
    expect(await call(a, at(0).auth, RESTART, { id: zero })).toMatchObject({ scope: 'GLOBAL' });
    expect(await call(a, admin, START, { id: zero })).toMatchObject({
      scope: 'GLOBAL',
      current: 3,
    });
    expect(await running()).toBe(3);
  });

  it('a per-user limit of 0 refuses that user only, in words', async () => {
    await call(a, at(3).auth, STOP, { id: await runtimeOf(at(3).user) });
    const u = at(4);
    expect(await call(a, admin, SET_LIMIT, { id: u.user.globalId, max: 0 })).toEqual({
      __typename: 'User',
      maxRunningRuntimes: 0,
    });
    expect(await call(b, u.auth, SET_LIMIT, { id: u.user.globalId, max: 5 })).toMatchObject({
      __typename: 'ForbiddenError',
    });
    expect(await call(a, u.auth, START)).toMatchObject({
      __typename: 'RuntimeLimitExceededError',
      scope: 'USER',
      limit: 0,
      current: 0,
      message: 'You may not run runtimes. An administrator can allow it.',
    });
    await call(a, admin, SET_LIMIT, { id: u.user.globalId, max: null });
    expect(await call(a, u.auth, START)).toMatchObject({ desiredState: 'RUNNING' });
    expect(await running()).toBe(3);
  });

  it('two starts racing for the last slot through two replicas: exactly one wins, every time', async () => {
    let round = 0;
    for (let i = 5; i + 1 < users.length; i += 2, round++) {
      const winnerOfLast = round === 0 ? at(4) : null;
      if (winnerOfLast)
        await call(a, winnerOfLast.auth, STOP, { id: await runtimeOf(winnerOfLast.user) });
      const [x, y] = [at(i), at(i + 1)];
      const results = await Promise.all([call(a, x.auth, START), call(b, y.auth, START)]);
      const names = results.map((r) => r.__typename).sort();
      expect(names, `round ${round}`).toEqual(['Runtime', 'RuntimeLimitExceededError']);
      expect(await running()).toBe(LIMIT);
      const winner = results[0].__typename === 'Runtime' ? x : y;
      await call(a, winner.auth, STOP, { id: await runtimeOf(winner.user) });
    }
    expect(round).toBeGreaterThanOrEqual(4);
  });
});
