// Creates a migration from the difference between the entities and the database at DATABASE_URL
// (or a throwaway test database when unset). Usage: npm run db:migration:create
import { initOrm } from '../orm-config.ts';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('Set DATABASE_URL to an empty or up-to-date database.');
  process.exit(2);
}
const orm = await initOrm({ clientUrl: url });
try {
  await orm.schema.ensureDatabase();
  await orm.migrator.up();
  const result = await orm.migrator.create(
    undefined,
    false,
    (await orm.migrator.getExecuted()).length === 0,
  );
  console.log(result.fileName ? `created ${result.fileName}` : 'no changes');
} finally {
  await orm.close();
}
