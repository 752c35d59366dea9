import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, MikroORM } from '@mikro-orm/postgresql';
import { releaseDeadConnections } from './db/release-dead-connections.ts';
import { ALL_ENTITIES } from './entities/all-entities.ts';

export interface OrmConfigInput {
  /** `postgresql://user:pass@host:port/db` */
  clientUrl: string;
  /** Connection pool size. @default 10 */
  poolMax?: number;
  /** Log every SQL statement through this function (benchmarks count statements with it). */
  onQuery?: (sql: string) => void;
}

/** The one MikroORM config used by the server, the orchestrator, the scripts and the tests. */
export function createOrmConfig(input: OrmConfigInput) {
  return defineConfig({
    clientUrl: input.clientUrl,
    entities: ALL_ENTITIES,
    extensions: [Migrator],
    pool: { min: 0, max: input.poolMax ?? 10 },
    // MikroORM hands the pg Pool it creates to `onPoolCreated`, before the first connection.
    driverOptions: { onPoolCreated: releaseDeadConnections },
    migrations: {
      path: new URL('./migrations', import.meta.url).pathname,
      glob: '!(*.d).{js,ts}',
      emit: 'ts',
      snapshot: false,
      transactional: true,
      allOrNothing: true,
    },
    debug: input.onQuery ? ['query'] : false,
    logger: input.onQuery ? (message) => input.onQuery?.(message) : undefined,
    // Entities are plain data; we never want lazy proxies to issue hidden queries on hot paths.
    forceUndefined: false,
    ignoreUndefinedInQuery: true,
    allowGlobalContext: false,
  });
}

/**
 * Initialises MikroORM with the shared config. (`MikroORM.init` is typed with the core class; the
 * instance is the PostgreSQL one, which is what every caller wants.)
 */
export async function initOrm(input: OrmConfigInput): Promise<MikroORM> {
  return (await MikroORM.init(createOrmConfig(input))) as unknown as MikroORM;
}
