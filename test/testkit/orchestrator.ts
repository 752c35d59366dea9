import { randomBytes } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { RuntimeDriver } from '../../orchestrator/src/drivers/driver.ts';
import { createLogger, type DestinationStream } from '../../orchestrator/src/logger.ts';
import { buildOrchestrator, type OrchestratorDeps } from '../../orchestrator/src/orchestrator.ts';
import { initOrm } from '../../schema/orm-config.ts';

export interface TestOrchestrator {
  orchestrator: ReturnType<typeof buildOrchestrator>;
  orm: MikroORM;
  stop(): Promise<void>;
}

/** An orchestrator replica on `databaseUrl` with the given driver, fast timings for tests. */
export async function startTestOrchestrator(
  databaseUrl: string,
  driver: RuntimeDriver,
  overrides: Partial<Pick<OrchestratorDeps, 'controller' | 'leaderPollMs'>> & {
    target?: Partial<OrchestratorDeps['target']>;
    /** Where its JSON log lines go (e.g. secret-scan's `captureLogs()`), at `logLevel`. @default stdout */
    logStream?: DestinationStream;
    /** @default TEST_LOG_LEVEL or 'silent' */
    logLevel?: string;
  } = {},
): Promise<TestOrchestrator> {
  const orm = await initOrm({ clientUrl: databaseUrl, poolMax: 6 });
  const orchestrator = buildOrchestrator({
    orm,
    databaseUrl,
    driver,
    logger: createLogger(
      overrides.logLevel ?? process.env.TEST_LOG_LEVEL ?? 'silent',
      false,
      overrides.logStream,
    ),
    target: { secret: TEST_SECRET, publicUrl: 'http://localhost:8080', ...overrides.target },
    controller: {
      resyncMs: 5_000,
      planner: { maxRestarts: 3, failedRetryMs: 2_000 },
      ...overrides.controller,
    },
    leaderPollMs: overrides.leaderPollMs ?? 300,
  });
  await orchestrator.start();
  return {
    orchestrator,
    orm,
    async stop() {
      await orchestrator.stop();
      await orm.close(true);
    },
  };
}

export const TEST_SECRET = randomBytes(32).toString('base64url');
