import type pg from 'pg';

/**
 * Gives a checked-out connection back to the pool (which then destroys it) when the database ends it.
 *
 * kysely, under MikroORM 7, releases a transaction's connection only after a COMMIT or ROLLBACK that
 * succeeded (kysely-org/kysely#1990). When the server drops the connection inside a transaction — a
 * restart, a failover, a terminated backend — both fail and the connection stays checked out for
 * ever: every outage cost as many connections as there were transactions in flight, until each
 * query waited for a connection that never came back (the server and the orchestrator hung after a
 * couple of PostgreSQL restarts). A later release of the same checkout by its holder is ignored.
 *
 * Idle connections need nothing: pg-pool already removes those when they fail.
 */
export function releaseDeadConnections(pool: pg.Pool): void {
  const checkedOut = new Set<pg.PoolClient>();
  pool.on('acquire', (client) => checkedOut.add(client));
  pool.on('release', (_err, client) => checkedOut.delete(client));
  pool.on('connect', (client) => {
    client.on('end', () => {
      if (!checkedOut.delete(client)) return;
      const release = client.release;
      client.release = () => {};
      release(new Error('connection ended while checked out'));
    });
  });
}
