/**
 * The orchestrator's Prometheus metrics, in a registry of its own. Under `npm start` the orchestrator
 * is a worker thread, and a worker's modules (this registry included) are invisible to the server's
 * `/metrics`; so every orchestrator, embedded or not, serves these on its own port (ops-server.ts).
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export const registry = new Registry();

/** JupyterHub's `server_spawn_duration_seconds` buckets, so operators' dashboards carry over. */
export const SPAWN_BUCKETS = [0.5, 1, 2.5, 5, 10, 15, 30, 60, 120, 180, 300, 600];

export const spawnDuration = new Histogram({
  name: 'clawloops_runtime_spawn_duration_seconds',
  help: 'From the spec change that asked for a running runtime to Ready (success) or Failed (failure).',
  labelNames: ['status'] as const,
  buckets: SPAWN_BUCKETS,
  registers: [registry],
});

export const stopDuration = new Histogram({
  name: 'clawloops_runtime_stop_duration_seconds',
  help: 'From the spec change that asked for a stop to Stopped.',
  buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60, 120],
  registers: [registry],
});

export const reconcileDuration = new Histogram({
  name: 'clawloops_reconcile_duration_seconds',
  help: 'One reconcile of one runtime, by result (success/error).',
  labelNames: ['result'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const reconcileErrors = new Counter({
  name: 'clawloops_reconcile_errors_total',
  help: 'Reconciles that threw (each is retried with backoff).',
  registers: [registry],
});

export const queueDepth = new Gauge({
  name: 'clawloops_orchestrator_queue_depth',
  help: 'Runtime ids waiting for a reconcile worker (0 on a standby replica).',
  registers: [registry],
});

export const isLeader = new Gauge({
  name: 'clawloops_orchestrator_leader',
  help: '1 while this replica holds the leader lock and reconciles.',
  registers: [registry],
});

export const dbPool = new Gauge({
  name: 'clawloops_orchestrator_db_pool_connections',
  help: 'PostgreSQL pool connections of the orchestrator by state (total/idle/waiting clients).',
  labelNames: ['state'] as const,
  registers: [registry],
});

// Like JupyterHub: every status exists from the start, so `rate()` and alerts work before the first failure.
for (const status of ['success', 'failure']) spawnDuration.zero({ status });
for (const result of ['success', 'error']) reconcileDuration.zero({ result });

/**
 * The first Ready/Failed of each (runtime, generation) is one spawn; a crash recovery within the same
 * generation is not (its spec change is long past). Bounded: oldest entries go first.
 */
const observedSpawns = new Map<string, number>();
const MAX_TRACKED = 10_000;

/** Called by the status writer on a phase transition, with seconds since the last spec change. */
export function observeTransition(
  t: { runtimeId: string; generation: number; from: string; to: string; desired: string },
  secondsSinceSpec: number,
): void {
  if (t.from === t.to) return;
  if (t.to === 'Stopped' && t.desired === 'stopped') stopDuration.observe(secondsSinceSpec);
  if (t.desired !== 'running' || (t.to !== 'Running' && t.to !== 'Failed')) return;
  if (observedSpawns.get(t.runtimeId) === t.generation) return;
  observedSpawns.delete(t.runtimeId);
  observedSpawns.set(t.runtimeId, t.generation);
  if (observedSpawns.size > MAX_TRACKED) {
    const oldest = observedSpawns.keys().next().value;
    if (oldest !== undefined) observedSpawns.delete(oldest);
  }
  spawnDuration.observe({ status: t.to === 'Running' ? 'success' : 'failure' }, secondsSinceSpec);
}

export async function setPoolGauges(orm: MikroORM): Promise<void> {
  const pool = (await orm.em.getConnection().getNativeClient()) as unknown as {
    totalCount: number;
    idleCount: number;
    waitingCount: number;
  };
  dbPool.set({ state: 'total' }, pool.totalCount);
  dbPool.set({ state: 'idle' }, pool.idleCount);
  dbPool.set({ state: 'waiting' }, pool.waitingCount);
}
