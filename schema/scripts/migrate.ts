// Applies pending migrations to DATABASE_URL. Usage: npm run db:migrate
import { migrate } from '../migrate.ts';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('Set DATABASE_URL.');
  process.exit(2);
}
const applied = await migrate(url);
console.log(applied.length ? `applied ${applied.join(', ')}` : 'up to date');
