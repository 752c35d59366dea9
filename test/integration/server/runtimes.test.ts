import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS } from '../../../schema/domain/channels.ts';
import { expectNoGraphQLErrors, gql } from '../../testkit/graphql.ts';
import { type SeededUser, seed } from '../../testkit/seed.ts';
import { startTestServer, type TestServer } from '../../testkit/server.ts';
import { globalRuntimeId, observe, sql } from './runtimes-fixtures.ts';

const RUNTIME_FIELDS = `id desiredState generation retentionPolicy restartNonce
  status { phase upToDate } owner { username }`;
const RESULT = `__typename ... on Runtime { ${RUNTIME_FIELDS} } ... on Error { code message }`;
const START = `mutation($id: ID) { startRuntime(id: $id) { ${RESULT} } }`;
const STOP = `mutation($id: ID!) { stopRuntime(id: $id) { ${RESULT} } }`;
const RESTART = `mutation($id: ID!) { restartRuntime(id: $id) { ${RESULT} } }`;
const DELETE = `mutation($id: ID!, $r: RetentionPolicy!) { deleteRuntime(id: $id, retention: $r) { ${RESULT} } }`;

let server: TestServer;
let alice: SeededUser;
let aliceCookie: string;

beforeAll(async () => {
  server = await startTestServer();
  const { createUser, loginAs } = seed(server);
  alice = await createUser({ username: 'alice' });
  aliceCookie = await loginAs(alice);
});
afterAll(() => server?.stop());

// biome-ignore lint/suspicious/noExplicitAny: GraphQL results are checked field by field
type Json = any;

async function mutate(
  query: string,
  variables: Record<string, unknown>,
  cookie = aliceCookie,
): Promise<Json> {
  const data = expectNoGraphQLErrors(await gql(server.url, query, variables, { cookie }));
  return Object.values(data as object)[0];
}

const rawId = (globalId: string) =>
  Buffer.from(globalId, 'base64').toString().split(':')[1] as string;
const specAndStatus = (id: string) =>
  sql(server, 'select * from runtimes where id = ?', [id]).then((r) => r[0]);
const eventsOf = (id: string) =>
  sql(
    server,
    'select type, phase, reason, message, actor_id from runtime_events where runtime_id = ? order by id',
    [id],
  );
const auditsOf = (id: string) =>
  sql(
    server,
    `select action, result, actor_id, actor_label from audit_events where target_id = ? order by id`,
    [id],
  );

describe('runtime lifecycle mutations', () => {
  let id: string;

  it('creates the runtime on first start: spec, one event, one audit row, one NOTIFY', async () => {
    const listener = new pg.Client({ connectionString: server.databaseUrl });
    await listener.connect();
    const notified: string[] = [];
    listener.on('notification', (m) => notified.push(m.payload ?? ''));
    await listener.query(`listen ${CHANNELS.runtimeSpec}`);

    const r = await mutate(START, {});
    expect(r).toMatchObject({ __typename: 'Runtime', desiredState: 'RUNNING', generation: 1 });
    expect(r.status).toEqual({ phase: 'PENDING', upToDate: false });
    expect(r.owner.username).toBe('alice');
    id = rawId(r.id);
    expect(r.id).toBe(globalRuntimeId(id));
    expect(await eventsOf(id)).toEqual([
      {
        type: 'SpecChanged',
        phase: 'Pending',
        reason: 'Created',
        message: 'Created and start requested by alice',
        actor_id: alice.id,
      },
    ]);
    expect(await auditsOf(id)).toEqual([
      { action: 'runtime.start', result: 'ok', actor_id: alice.id, actor_label: 'alice' },
    ]);
    await expect.poll(() => notified).toEqual([id]);
    await listener.end();
  });

  it('start is a no-op while the runtime should already run', async () => {
    const r = await mutate(START, {});
    expect(rawId(r.id)).toBe(id);
    expect(r.generation).toBe(1);
    expect(await eventsOf(id)).toHaveLength(1);
  });

  it('stop writes only spec columns, never status', async () => {
    await observe(server, id, {
      phase: 'Running',
      observedGeneration: 1,
      endpoint: 'http://127.0.0.1:1',
      lastError: 'old',
    });
    const before = await specAndStatus(id);
    const r = await mutate(STOP, { id: globalRuntimeId(id) });
    expect(r).toMatchObject({
      desiredState: 'STOPPED',
      generation: 2,
      status: { phase: 'RUNNING', upToDate: false },
    });
    const after = await specAndStatus(id);
    for (const col of [
      'phase',
      'conditions',
      'observed_generation',
      'last_error',
      'endpoint',
      'ready_at',
      'status_updated_at',
    ]) {
      expect(after?.[col], col).toEqual(before?.[col]);
    }
    expect(after?.spec_updated_at).not.toEqual(before?.spec_updated_at);
    expect((await eventsOf(id)).at(-1)).toMatchObject({
      type: 'SpecChanged',
      phase: 'Running',
      message: 'Stop requested by alice',
    });
    expect((await auditsOf(id)).at(-1)).toMatchObject({ action: 'runtime.stop', result: 'ok' });
  });

  it('restart bumps the restart nonce and asks for running', async () => {
    const r = await mutate(RESTART, { id: globalRuntimeId(id) });
    expect(r).toMatchObject({ desiredState: 'RUNNING', generation: 3, restartNonce: 1 });
    expect((await eventsOf(id)).at(-1)?.message).toBe('Restart requested by alice');
  });

  it('writes spec, event and audit in one transaction: a failing audit insert rolls back all', async () => {
    await sql(
      server,
      `create function fail_audit() returns trigger language plpgsql as $$ begin raise exception 'boom'; end $$`,
    );
    await sql(
      server,
      `create trigger fail_audit before insert on audit_events for each row
      when (new.action = 'runtime.restart') execute function fail_audit()`,
    );
    const events = (await eventsOf(id)).length;
    const res = await gql(
      server.url,
      RESTART,
      { id: globalRuntimeId(id) },
      { cookie: aliceCookie },
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('INTERNAL');
    await sql(server, 'drop trigger fail_audit on audit_events');
    expect((await specAndStatus(id))?.generation).toBe(3);
    expect(await eventsOf(id)).toHaveLength(events);
  });

  it('delete records the retention; later mutations on it conflict', async () => {
    const r = await mutate(DELETE, { id: globalRuntimeId(id), r: 'WIPE' });
    expect(r).toMatchObject({ desiredState: 'DELETED', retentionPolicy: 'WIPE', generation: 4 });
    expect((await eventsOf(id)).at(-1)?.message).toBe(
      'Deletion requested by alice (workspace wiped)',
    );
    for (const [q, v] of [
      [STOP, { id: globalRuntimeId(id) }],
      [START, { id: globalRuntimeId(id) }],
      [DELETE, { id: globalRuntimeId(id), r: 'PRESERVE' }],
    ] as const) {
      expect(await mutate(q, v)).toMatchObject({
        __typename: 'ConflictError',
        code: 'RUNTIME_DELETED',
      });
    }
    // Still tearing down: a new runtime would exceed MAX_RUNTIMES_PER_USER.
    expect(await mutate(START, {})).toMatchObject({
      __typename: 'ConflictError',
      code: 'RUNTIME_DELETING',
    });
  });

  it('starting after the previous runtime is Deleted creates a new one', async () => {
    await observe(server, id, { phase: 'Deleted' });
    const r = await mutate(START, {});
    expect(r.__typename).toBe('Runtime');
    expect(rawId(r.id)).not.toBe(id);
    const live = await sql(
      server,
      `select count(*)::int as n from runtimes where owner_id = ? and phase <> 'Deleted'`,
      [alice.id],
    );
    expect(live[0]?.n).toBe(1);
  });

  it('concurrent first starts of one user create exactly one runtime', async () => {
    const { createUser, loginAs } = seed(server);
    const carol = await createUser();
    const cookie = await loginAs(carol);
    const results = await Promise.all(Array.from({ length: 6 }, () => mutate(START, {}, cookie)));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    const rows = await sql(server, 'select count(*)::int as n from runtimes where owner_id = ?', [
      carol.id,
    ]);
    expect(rows[0]?.n).toBe(1);
    expect(await eventsOf(rawId(results[0].id))).toHaveLength(1);
  });

  it('unknown ids are NotFound; anonymous callers are Unauthenticated', async () => {
    const missing = globalRuntimeId(crypto.randomUUID());
    expect(await mutate(STOP, { id: missing })).toMatchObject({ __typename: 'NotFoundError' });
    const anon = await gql(server.url, START, {});
    expect(anon.data?.startRuntime).toMatchObject({ __typename: 'UnauthenticatedError' });
  });
});
