import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initOrm } from '../../../schema/orm-config.ts';
import { createTestDatabase } from '../../testkit/database.ts';

/**
 * The committed migrations are the schema; the entities describe it to MikroORM. If they drift, an
 * entity change shipped without its migration (or the reverse): the ORM would then read or write
 * columns that don't exist on a fresh install. The database here is built by the migrations alone.
 */
describe('migrations and entities', () => {
  let orm: Awaited<ReturnType<typeof initOrm>>;
  beforeAll(async () => {
    orm = await initOrm({ clientUrl: await createTestDatabase() });
  });
  afterAll(async () => {
    await orm?.close();
  });

  it('a migrated database needs no further schema change to match the entities', async () => {
    const diff = await orm.schema.getUpdateSchemaSQL({ wrap: false });
    expect(diff.trim()).toBe('');
  });
});
