import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../../schema/domain/profiles.ts';
import { type GqlAuth, gql } from '../../testkit/graphql.ts';
import { type SeededUser, seed } from '../../testkit/seed.ts';
import { startTestServer, type TestServer } from '../../testkit/server.ts';
import { sql } from './runtimes-fixtures.ts';

const PROFILE = `id name displayName cpuRequest cpuLimit memoryMiB heapMiB effectiveHeapMiB diskGiB
  openclawVersion image terminal idleTimeoutMinutes isDefault availableToAll runtimeCount
  allowedUsers { username }`;
const ERR =
  '... on Error { code message } ... on InvalidInputError { fieldErrors { path message } }';
const LIST = `{ runtimeProfiles { __typename ... on QueryRuntimeProfilesSuccess { data { ${PROFILE} } } ${ERR} } }`;
const CREATE = `mutation($input: CreateRuntimeProfileInput!) { createRuntimeProfile(input: $input) {
  __typename ... on RuntimeProfile { ${PROFILE} } ${ERR} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateRuntimeProfileInput!) { updateRuntimeProfile(id: $id, input: $input) {
  __typename ... on RuntimeProfile { ${PROFILE} } ${ERR} } }`;
const DELETE = `mutation($id: ID!) { deleteRuntimeProfile(id: $id) {
  __typename ... on MutationDeleteRuntimeProfileSuccess { data } ${ERR} } }`;
const RUNTIME = `__typename ... on Runtime { id profile generation desiredState }
  ... on ProfileNotAllowedError { profile } ${ERR}`;
const START = `mutation($id: ID, $profile: String) { startRuntime(id: $id, profile: $profile) { ${RUNTIME} } }`;
const RESTART = `mutation($id: ID!) { restartRuntime(id: $id) { ${RUNTIME} } }`;

// biome-ignore lint/suspicious/noExplicitAny: GraphQL results are checked field by field
type Json = any;

let server: TestServer;
let admin: SeededUser;
let alice: SeededUser;
let bob: SeededUser;
const as: Record<string, GqlAuth> = {};

async function call(
  who: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<Json> {
  const res = await gql(server.url, query, variables, as[who]);
  if (res.errors?.length) throw new Error(JSON.stringify(res.errors));
  return Object.values(res.data as object)[0];
}
const list = async (who: string) => (await call(who, LIST)).data as Json[];
const specOf = async (runtimeGlobalId: string) => {
  const id = Buffer.from(runtimeGlobalId, 'base64').toString().split(':')[1];
  const [row] = await sql(
    server,
    'select profile, profile_spec, generation from runtimes where id = ?',
    [id],
  );
  return row as { profile: string; profile_spec: Json; generation: number };
};

const BIG = {
  name: 'big',
  displayName: 'Big',
  cpuRequest: '1',
  cpuLimit: '4',
  memoryMiB: 4096,
  heapMiB: 3000,
  diskGiB: 20,
  openclawVersion: '2026.10.1',
  terminal: true,
  availableToAll: false,
};

beforeAll(async () => {
  server = await startTestServer();
  const s = seed(server);
  admin = await s.createUser({ username: 'admin', role: 'admin' });
  alice = await s.createUser({ username: 'alice' });
  bob = await s.createUser({ username: 'bob' });
  for (const [k, u] of Object.entries({ admin, alice, bob }))
    as[k] = { cookie: await s.loginAs(u) };
  as.readToken = { bearer: await s.createApiToken(admin, ['users:read']) };
});
afterAll(() => server?.stop());

describe('runtime profiles', () => {
  let bigId: string;
  let smallId: string;
  let bobRuntime: string;

  it('the migration seeds `default`, equal to the built-in profile', async () => {
    const [only, ...rest] = await list('admin');
    expect(rest).toEqual([]);
    expect(only).toMatchObject({
      name: 'default',
      cpuRequest: DEFAULT_PROFILE.cpuRequest,
      cpuLimit: DEFAULT_PROFILE.cpuLimit,
      memoryMiB: DEFAULT_PROFILE.memoryMiB,
      heapMiB: null,
      effectiveHeapMiB: 1536,
      diskGiB: DEFAULT_PROFILE.diskGiB,
      openclawVersion: DEFAULT_PROFILE.openclawVersion,
      terminal: DEFAULT_PROFILE.terminal,
      image: '',
      isDefault: true,
      availableToAll: true,
    });
  });

  it('only admins (with users:write on tokens) create profiles; refusals are audited', async () => {
    const input = { ...BIG, name: 'sneaky' };
    expect(await call('alice', CREATE, { input })).toMatchObject({ __typename: 'ForbiddenError' });
    expect(await call('readToken', CREATE, { input })).toMatchObject({
      __typename: 'ForbiddenError',
    });
    expect((await list('admin')).map((p) => p.name)).toEqual(['default']);
    const denied = await sql(
      server,
      `select actor_id from audit_events where action = 'runtime.profile.create' and result = 'denied'`,
    );
    expect(denied.map((r) => r.actor_id)).toContain(alice.id);
  });

  it('bad values are refused field by field, and nothing is stored', async () => {
    const input = {
      ...BIG,
      cpuRequest: '8',
      heapMiB: 4096,
      openclawVersion: 'latest',
      image: 'x:1',
    };
    const res = await call('admin', CREATE, { input });
    expect(res.__typename).toBe('InvalidInputError');
    expect(res.fieldErrors.map((e: Json) => e.path).sort()).toEqual([
      'cpuRequest',
      'heapMiB',
      'image',
      'openclawVersion',
    ]);
    expect(res.message).toContain('heapMiB: must be below the memory limit (4096 MiB)');
    expect(await list('admin')).toHaveLength(1);
  });

  it('creates profiles: restricted to listed users, or for everyone; names are unique', async () => {
    const big = await call('admin', CREATE, { input: { ...BIG, allowedUsers: [bob.globalId] } });
    expect(big).toMatchObject({
      __typename: 'RuntimeProfile',
      ...BIG,
      allowedUsers: [{ username: 'bob' }],
    });
    bigId = big.id;
    const small = await call('admin', CREATE, {
      input: {
        name: 'small',
        displayName: 'Small',
        cpuRequest: '100m',
        cpuLimit: '500m',
        memoryMiB: 1024,
        diskGiB: 5,
      },
    });
    expect(small).toMatchObject({ availableToAll: true, isDefault: false, effectiveHeapMiB: 768 });
    smallId = small.id;
    const again = await call('admin', CREATE, { input: { ...BIG, displayName: 'Again' } });
    expect(again).toMatchObject({ __typename: 'ConflictError', code: 'PROFILE_NAME_TAKEN' });
  });

  it('users list only the profiles they may choose; only admins see who may', async () => {
    expect((await list('alice')).map((p) => p.name)).toEqual(['default', 'small']);
    const forBob = await list('bob');
    expect(forBob.map((p) => p.name)).toEqual(['default', 'big', 'small']);
    expect(forBob.every((p) => p.allowedUsers === null)).toBe(true);
    expect((await list('admin')).map((p) => p.name)).toEqual(['default', 'big', 'small']);
  });

  it('a profile the owner may not use is refused with a typed error, and no runtime is created', async () => {
    const res = await call('alice', START, { profile: 'big' });
    expect(res).toMatchObject({
      __typename: 'ProfileNotAllowedError',
      code: 'PROFILE_NOT_ALLOWED',
      profile: 'big',
      message: 'You are not allowed to use the runtime profile "Big". Choose another profile.',
    });
    expect(await call('alice', START, { profile: 'nope' })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await sql(server, 'select id from runtimes where owner_id = ?', [alice.id])).toEqual([]);
  });

  it('an allowed profile is copied into the spec at start', async () => {
    const r = await call('bob', START, { profile: 'big' });
    expect(r).toMatchObject({ __typename: 'Runtime', profile: 'big', desiredState: 'RUNNING' });
    bobRuntime = r.id;
    const spec = await specOf(bobRuntime);
    expect(spec.profile_spec).toEqual({
      name: 'big',
      cpuRequest: '1',
      cpuLimit: '4',
      memoryMiB: 4096,
      heapMiB: 3000,
      diskGiB: 20,
      openclawVersion: '2026.10.1',
      terminal: true,
    });
    const [runtime] = await list('admin').then((ps) => ps.filter((p) => p.name === 'big'));
    expect(runtime.runtimeCount).toBe(1);
  });

  it('no profile named: the default', async () => {
    const r = await call('alice', START, {});
    expect(r).toMatchObject({ profile: 'default' });
    expect((await specOf(r.id)).profile_spec).toEqual(DEFAULT_PROFILE);
  });

  it('an edit reaches a running runtime only at its restart', async () => {
    const edited = await call('admin', UPDATE, {
      id: bigId,
      input: { memoryMiB: 8192, heapMiB: null },
    });
    expect(edited).toMatchObject({ memoryMiB: 8192, heapMiB: null, effectiveHeapMiB: 6144 });
    const before = await specOf(bobRuntime);
    expect(before.profile_spec.memoryMiB).toBe(4096);
    expect(await call('bob', START, { id: bobRuntime })).toMatchObject({
      generation: before.generation,
    });
    expect(await call('bob', RESTART, { id: bobRuntime })).toMatchObject({ __typename: 'Runtime' });
    const after = await specOf(bobRuntime);
    expect(after.profile_spec).toMatchObject({ memoryMiB: 8192 });
    expect(after.profile_spec).not.toHaveProperty('heapMiB');
    expect(after.generation).toBe(before.generation + 1);
  });

  it('names are immutable; there is always exactly one default', async () => {
    await expect(call('admin', UPDATE, { id: bigId, input: { name: 'huge' } })).rejects.toThrow(
      /not defined by type .{0,4}UpdateRuntimeProfileInput/,
    );
    const [dflt] = await list('admin');
    const unset = await call('admin', UPDATE, { id: dflt.id, input: { isDefault: false } });
    expect(unset).toMatchObject({ code: 'DEFAULT_PROFILE_REQUIRED' });
    const restricted = await call('admin', UPDATE, { id: bigId, input: { isDefault: true } });
    expect(restricted.fieldErrors).toEqual([
      { path: 'availableToAll', message: 'the default profile must be available to everyone' },
    ]);
    expect(await call('admin', UPDATE, { id: smallId, input: { isDefault: true } })).toMatchObject({
      isDefault: true,
    });
    const after = await list('admin');
    expect(after.filter((p) => p.isDefault).map((p) => p.name)).toEqual(['small']);
    expect(await call('admin', UPDATE, { id: dflt.id, input: { isDefault: true } })).toMatchObject({
      isDefault: true,
    });
  });

  it('starting with another profile switches a running runtime; losing access refuses its restart', async () => {
    const [aliceRuntime] = await sql(server, 'select id from runtimes where owner_id = ?', [
      alice.id,
    ]);
    const id = Buffer.from(`Runtime:${aliceRuntime?.id}`).toString('base64');
    const before = await specOf(id);
    const switched = await call('alice', START, { id, profile: 'small' });
    expect(switched).toMatchObject({ profile: 'small', generation: before.generation + 1 });
    const [event] = await sql(
      server,
      'select reason, message from runtime_events where runtime_id = ? order by id desc limit 1',
      [aliceRuntime?.id],
    );
    expect(event).toEqual({
      reason: 'ProfileChanged',
      message: 'Profile changed to small by alice',
    });

    await call('admin', UPDATE, { id: bigId, input: { allowedUsers: [] } });
    expect(await call('bob', RESTART, { id: bobRuntime })).toMatchObject({
      __typename: 'ProfileNotAllowedError',
      profile: 'big',
    });
    expect(await call('bob', START, { id: bobRuntime, profile: 'default' })).toMatchObject({
      profile: 'default',
    });
  });

  it('deleting refuses the default and profiles in use', async () => {
    const [dflt] = await list('admin');
    expect(await call('admin', DELETE, { id: dflt.id })).toMatchObject({
      code: 'PROFILE_IS_DEFAULT',
    });
    const inUse = await call('admin', DELETE, { id: smallId });
    expect(inUse).toMatchObject({ code: 'PROFILE_IN_USE' });
    expect(inUse.message).toBe(
      'Profile "small" is used by 1 runtime(s); they must be deleted or started with another profile first.',
    );
    expect(await call('alice', DELETE, { id: bigId })).toMatchObject({
      __typename: 'ForbiddenError',
    });
    expect(await call('admin', DELETE, { id: bigId })).toEqual({
      __typename: 'MutationDeleteRuntimeProfileSuccess',
      data: bigId,
    });
    expect((await list('admin')).map((p) => p.name)).toEqual(['default', 'small']);
    expect(await call('admin', DELETE, { id: bigId })).toMatchObject({ code: 'NOT_FOUND' });
  });
});
