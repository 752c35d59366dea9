import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { TEMPLATE_DB, withDatabase } from './database-url.ts';

/**
 * A fresh, migrated database for one test file, cloned from the template (milliseconds).
 * Returns its URL; the cluster (and so the database) is dropped when the run ends.
 */
export async function createTestDatabase(): Promise<string> {
  const admin = inject('pgAdminUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`create database ${name} template ${TEMPLATE_DB}`);
  } finally {
    await client.end();
  }
  return withDatabase(admin, name);
}
