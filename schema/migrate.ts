import { initOrm } from './orm-config.ts';

/** Creates the database if needed and applies every pending migration. Safe to run concurrently. */
export async function migrate(clientUrl: string): Promise<string[]> {
  const orm = await initOrm({ clientUrl, poolMax: 2 });
  try {
    await orm.schema.ensureDatabase();
    // Two processes starting together must not both run the same migration.
    const conn = orm.em.getConnection();
    return await conn.transactional(async (trx) => {
      await conn.execute('select pg_advisory_xact_lock(7301)', [], 'all', trx);
      const applied = await orm.migrator.up({ transaction: trx });
      return applied.map((m) => m.name);
    });
  } finally {
    await orm.close(true);
  }
}
