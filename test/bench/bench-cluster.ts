import { migrate } from '../../schema/migrate.ts';
import { startTestCluster } from '../support/postgres-cluster.ts';
import { withDatabase } from '../testkit/database-url.ts';

/** Creates and migrates a database in the bench's cluster; returns its URL. */
export type NewDatabase = (name: string) => Promise<string>;

/** A throwaway PostgreSQL cluster for one bench module, stopped when `fn` settles. */
export async function withBenchCluster<T>(fn: (database: NewDatabase) => Promise<T>): Promise<T> {
  const cluster = await startTestCluster();
  try {
    return await fn(async (name) => {
      const url = withDatabase(cluster.adminUrl, name);
      await migrate(url);
      return url;
    });
  } finally {
    await cluster.stop();
  }
}
