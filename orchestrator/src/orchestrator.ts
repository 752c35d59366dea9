import type { MikroORM } from '@mikro-orm/postgresql';
import { type ControllerOptions, createController } from './controller.ts';
import type { RuntimeDriver } from './drivers/driver.ts';
import { startLeaderElection } from './leader.ts';
import type { Logger } from './logger.ts';
import type { TargetSettings } from './target.ts';

export interface OrchestratorDeps {
  orm: MikroORM;
  databaseUrl: string;
  driver: RuntimeDriver;
  logger: Logger;
  target: TargetSettings;
  controller?: Partial<Omit<ControllerOptions, 'orm' | 'driver' | 'logger' | 'target'>>;
  /** Leader-election poll/heartbeat period. @default 2000 */
  leaderPollMs?: number;
}

/**
 * An orchestrator replica: competes for leadership; while leader, runs the controller. Several
 * replicas may run against one database; exactly one reconciles at a time.
 */
export function buildOrchestrator(deps: OrchestratorDeps) {
  let controller: ReturnType<typeof createController> | null = null;
  let election: ReturnType<typeof startLeaderElection> | null = null;
  let stopRuntimesOnStepDown = false;
  return {
    get controller() {
      return controller;
    },
    get isLeader() {
      return election?.isLeader ?? false;
    },
    async start(): Promise<void> {
      election = startLeaderElection({
        databaseUrl: deps.databaseUrl,
        logger: deps.logger,
        pollMs: deps.leaderPollMs,
        onSpecChange: (id) => controller?.enqueue(id),
        lead: async () => {
          const c = createController({
            ...deps.controller,
            orm: deps.orm,
            driver: deps.driver,
            logger: deps.logger,
            target: deps.target,
          });
          controller = c;
          await c.start();
          return async () => {
            controller = null;
            await c.stop({ stopRuntimes: stopRuntimesOnStepDown });
          };
        },
      });
    },
    /** Leaves the election; with `stopRuntimes`, stops every workload first (see Controller.stop). */
    async stop(opts: { stopRuntimes?: boolean } = {}): Promise<void> {
      stopRuntimesOnStepDown = opts.stopRuntimes === true;
      await election?.stop();
    },
  };
}

export type Orchestrator = ReturnType<typeof buildOrchestrator>;
