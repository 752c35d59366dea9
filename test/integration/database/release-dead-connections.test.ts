import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { initOrm } from '../../../schema/orm-config.ts';
import { createTestDatabase } from '../../testkit/database.ts';

/**
 * A connection that dies inside a transaction (database restart, failover, killed backend) must go
 * back to the pool. kysely under MikroORM releases a transaction's connection only after a COMMIT or
 * ROLLBACK that succeeded (kysely-org/kysely#1990): without schema/db/release-dead-connections.ts
 * each such death leaked one connection, and a few outages left every query waiting for ever
 * (found by the chaos suite's PostgreSQL restarts).
 */
let url: string;
let admin: pg.Client;

beforeAll(async () => {
  url = await createTestDatabase();
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
});
afterAll(() => admin?.end());

/** Fails fast instead of hanging: a leaked pool makes the next query wait for ever. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: pool exhausted`)), ms),
    ),
  ]);
}

it('a transaction whose connection is killed does not leak it from the pool', async () => {
  const orm = await initOrm({ clientUrl: url, poolMax: 2 });
  try {
    for (let i = 0; i < 4; i++) {
      const failed = orm.em.fork().transactional(async (em) => {
        const conn = em.getConnection();
        const trx = em.getTransactionContext();
        const [row] = await conn.execute('select pg_backend_pid() as pid', [], 'all', trx);
        await admin.query('select pg_terminate_backend($1)', [row?.pid]);
        await conn.execute('select 1', [], 'all', trx);
      });
      // The connection's death, in whichever words it reached the client; never a wait for the pool.
      const error = await within(5_000, `transaction ${i + 1}`, failed).then(
        () => new Error('committed'),
        (err: Error) => err,
      );
      expect(error.message).toMatch(/terminat|connection/i);
      expect(error.message).not.toMatch(/pool exhausted/);
    }
    // Two connections at most, four killed: a leak would leave this query waiting for a free one.
    const answer = orm.em.fork().getConnection().execute('select 1 as ok');
    await expect(within(5_000, 'query after the kills', answer)).resolves.toEqual([{ ok: 1 }]);
  } finally {
    await within(5_000, 'close', orm.close(true)).catch(() => {});
  }
});
