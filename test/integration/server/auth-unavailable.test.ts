import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { gql } from '../../testkit/graphql.ts';
import { seed } from '../../testkit/seed.ts';
import { startTestServer, type TestServer } from '../../testkit/server.ts';

/**
 * While the database is unreachable, a signed-in caller is told "unavailable, retry" — never treated as
 * anonymous (which would send every browser to the login page during a PostgreSQL restart).
 */
let server: TestServer;
let admin: pg.Client;
let dbName: string;
beforeAll(async () => {
  server = await startTestServer();
  dbName = new URL(server.databaseUrl).pathname.slice(1);
  admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
});
afterAll(async () => {
  await admin?.query(`alter database ${dbName} allow_connections true`).catch(() => {});
  await admin?.end();
  await server?.stop();
});

async function cutDatabase(): Promise<void> {
  await admin.query(`alter database ${dbName} allow_connections false`);
  await admin.query(
    'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
    [dbName],
  );
}

describe('authentication while the database is unreachable', () => {
  it('answers SERVICE_UNAVAILABLE (503), not UNAUTHENTICATED, and recovers by itself', async () => {
    const s = seed(server);
    const user = await s.createUser();
    const cookie = await s.loginAs(user); // never used yet: its check needs the database
    await cutDatabase();
    try {
      const res = await gql(server.url, '{ viewer { username } }', {}, { cookie });
      expect(res.status, res.text).toBe(503);
      expect(res.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
      expect(res.text).not.toContain('UNAUTHENTICATED');
    } finally {
      await admin.query(`alter database ${dbName} allow_connections true`);
    }
    let viewer: unknown = null;
    for (let i = 0; i < 50 && !viewer; i++) {
      const res = await gql(server.url, '{ viewer { username } }', {}, { cookie });
      viewer = res.data?.viewer ?? null;
      if (!viewer) await new Promise((r) => setTimeout(r, 200));
    }
    expect(viewer).toEqual({ username: user.username });
  });
});
