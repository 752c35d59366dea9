/**
 * The reconcile driver: one de-duplicating queue of runtime ids, N workers, exponential backoff on
 * errors, a consecutive-failure breaker, and a global limit on concurrent starts. Sources (NOTIFY,
 * driver observations, periodic resync) only enqueue ids; every run re-reads desired state from
 * PostgreSQL and observed state from the driver (level-triggered, style rules 1–3).
 */
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { RuntimeDriver } from './drivers/driver.ts';
import type { Logger } from './logger.ts';
import { reconcileDuration, reconcileErrors } from './metrics.ts';
import { deleteCredential, loadGrantedModels, writeCredential } from './model-access.ts';
import { KeyedQueue } from './queue.ts';
import { breakerTrips, failurePlan, isTransientError } from './reconcile/failure.ts';
import { type PlannerSettings, plan } from './reconcile/runtime.ts';
import { listActiveRuntimeIds, loadRuntime } from './status/runtime-row.ts';
import { writeStatus } from './status/write.ts';
import { buildTarget, type TargetSettings } from './target.ts';

export interface ControllerOptions {
  orm: MikroORM;
  driver: RuntimeDriver;
  logger: Logger;
  target: TargetSettings;
  /** Concurrent reconciles (never two for one runtime). @default 4 */
  workers?: number;
  /** Runtimes that may be starting at once; the rest wait, visible as `Pending`/`Queued`. @default 4 */
  maxConcurrentStarts?: number;
  /** Full resync period. @default 30_000 */
  resyncMs?: number;
  /** Consecutive reconcile errors before the runtime is marked Failed. @default 5 */
  maxConsecutiveErrors?: number;
  /** How long errors that may clear by themselves (5xx, timeouts…) must last to count. @default 120_000 */
  transientErrorSpanMs?: number;
  planner?: Partial<PlannerSettings>;
  now?: () => Date;
}

export function createController(o: ControllerOptions) {
  const queue = new KeyedQueue();
  const errors = new Map<string, { count: number; sinceMs: number; transient: boolean }>();
  const starting = new Set<string>();
  const settings: PlannerSettings = { maxRestarts: 5, failedRetryMs: 60_000, ...o.planner };
  const maxStarts = o.maxConcurrentStarts ?? 4;
  const limits = {
    max: o.maxConsecutiveErrors ?? 5,
    transientSpanMs: o.transientErrorSpanMs ?? 120_000,
  };
  const now = o.now ?? (() => new Date());
  let resyncTimer: NodeJS.Timeout | undefined;
  let workers: Promise<void>[] = [];
  let reconciles = 0;

  async function reconcile(id: string): Promise<number | undefined> {
    reconciles++;
    const em = o.orm.em.fork() as EntityManager;
    const row = await loadRuntime(em, id);
    const observed = await o.driver.observe(id);
    if (!row) {
      if (observed.state !== 'absent') await o.driver.ensureDeleted(id, '', 'preserve');
      return undefined;
    }
    let target: ReturnType<typeof buildTarget> | null = null;
    try {
      const running = row.desiredState === 'running';
      const models =
        running && o.target.modelProxyUrl ? await loadGrantedModels(em, row.ownerId) : [];
      target = running ? buildTarget(row, o.target, models) : null;
    } catch (err) {
      await writeStatus(
        em,
        row,
        {
          plan: failurePlan('InvalidSpec', (err as Error).message, row.generation),
          generation: row.generation,
          endpoint: null,
        },
        now(),
      );
      return undefined;
    }
    const p = plan({
      spec: row,
      current: row,
      observed,
      desiredHash: target?.templateHash ?? '',
      startSlotFree: starting.has(id) || starting.size < maxStarts,
      settings,
      now: now(),
    });
    if (p.starting) starting.add(id);
    else starting.delete(id);
    if (target?.model) await writeCredential(em, row, target.model.apiKey);
    else await deleteCredential(em, row);
    if (p.action === 'ensureRunning' && target) await o.driver.ensureRunning(target);
    else if (p.action === 'ensureStopped') await o.driver.ensureStopped(id);
    else if (p.action === 'ensureDeleted')
      await o.driver.ensureDeleted(id, row.ownerId, row.retentionPolicy);
    const endpoint = observed.state === 'ready' ? (observed.endpoint ?? null) : null;
    await writeStatus(em, row, { plan: p, generation: row.generation, endpoint }, now());
    if (p.phase !== row.phase) {
      const change = { runtimeId: id, from: row.phase, to: p.phase, reason: p.reason };
      o.logger.info(change, 'runtime phase changed');
    }
    return p.requeueAfterMs;
  }

  async function onError(id: string, err: unknown): Promise<void> {
    const nowMs = now().getTime();
    const before = errors.get(id);
    const streak = {
      count: (before?.count ?? 0) + 1,
      sinceMs: before?.sinceMs ?? nowMs,
      transient: (before?.transient ?? true) && isTransientError(err),
    };
    errors.set(id, streak);
    const n = streak.count;
    const message = err instanceof Error ? err.message : String(err);
    o.logger.warn(
      { runtimeId: id, attempt: n, transient: streak.transient, err: message },
      'reconcile failed',
    );
    if (breakerTrips(streak, nowMs, limits)) {
      const em = o.orm.em.fork() as EntityManager;
      const row = await loadRuntime(em, id).catch(() => null);
      if (row) {
        const p = failurePlan(
          'ReconcileError',
          `Giving up after ${n} attempts: ${message}`,
          row.generation,
        );
        await writeStatus(
          em,
          row,
          { plan: p, generation: row.generation, endpoint: null },
          now(),
        ).catch(() => {});
      }
      starting.delete(id);
      errors.delete(id);
      queue.addAfter(id, settings.failedRetryMs);
      return;
    }
    queue.addAfter(id, Math.min(250 * 2 ** (n - 1), 30_000));
  }

  async function work(): Promise<void> {
    for (let id = await queue.get(); id !== null; id = await queue.get()) {
      const end = reconcileDuration.startTimer();
      try {
        const after = await reconcile(id);
        end({ result: 'success' });
        errors.delete(id);
        if (after !== undefined) queue.addAfter(id, after);
      } catch (err) {
        end({ result: 'error' });
        reconcileErrors.inc();
        await onError(id, err);
      } finally {
        queue.done(id);
      }
    }
  }

  async function resync(): Promise<void> {
    try {
      const ids = new Set([
        ...(await listActiveRuntimeIds(o.orm.em.fork() as EntityManager)),
        ...(await o.driver.listKnown()),
      ]);
      for (const id of ids) queue.add(id);
    } catch (err) {
      o.logger.warn({ err }, 'resync failed');
    }
  }

  return {
    enqueue: (id: string) => queue.add(id),
    resync,
    get stats() {
      return { queueDepth: queue.depth, starting: starting.size, reconciles };
    },
    async start(): Promise<void> {
      await o.driver.start((id) => queue.add(id));
      workers = Array.from({ length: o.workers ?? 4 }, () => work());
      await resync();
      resyncTimer = setInterval(() => void resync(), o.resyncMs ?? 30_000);
      resyncTimer.unref();
    },
    /**
     * Stops reconciling. Workloads keep running for the next leader to adopt, unless `stopRuntimes`
     * (the embedded default's shutdown): then they are stopped after the workers have finished — so
     * nothing restarts them — and before the driver lets go of them. Desired state is untouched.
     */
    async stop({ stopRuntimes = false } = {}): Promise<void> {
      clearInterval(resyncTimer);
      queue.shutdown();
      await Promise.all(workers);
      if (stopRuntimes) {
        for (const id of await o.driver.listKnown()) {
          await o.driver
            .ensureStopped(id)
            .catch((err) => o.logger.warn({ err, runtimeId: id }, 'stop failed'));
        }
      }
      await o.driver.stop();
    },
  };
}

export type Controller = ReturnType<typeof createController>;
