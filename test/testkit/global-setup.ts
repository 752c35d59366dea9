import type { TestProject } from 'vitest/node';
import { migrate } from '../../schema/migrate.ts';
import { startTestCluster } from '../support/postgres-cluster.ts';
import { TEMPLATE_DB, withDatabase } from './database-url.ts';

/** One real PostgreSQL server per test run, with a migrated template database to clone from. */
export default async function setup(project: TestProject) {
  const cluster = await startTestCluster();
  await migrate(withDatabase(cluster.adminUrl, TEMPLATE_DB));
  project.provide('pgAdminUrl', cluster.adminUrl);
  return () => cluster.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}
