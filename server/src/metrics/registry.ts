/**
 * The control plane's Prometheus metrics: one registry per process (module state is per process, and
 * per worker thread, which is why the embedded orchestrator serves its own). Counters and histograms
 * are updated where things happen; gauges that describe state (runtimes by phase, DB pool) are read
 * at scrape time by `refreshScrapeGauges`, so nothing polls in the background.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { RUNTIME_PHASES } from '../../../schema/domain/enums.ts';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'clawloops_server_' });

export const forwardAuthDecisions = new Counter({
  name: 'clawloops_forward_auth_decisions_total',
  help: 'Entrance (ForwardAuth and embedded edge) decisions, by result (allow/deny) and reason.',
  labelNames: ['result', 'reason'] as const,
  registers: [registry],
});

export const modelProxyRequests = new Counter({
  name: 'clawloops_model_proxy_requests_total',
  help: 'Credential-proxy requests by endpoint and HTTP status (rejections included).',
  labelNames: ['endpoint', 'status'] as const,
  registers: [registry],
});

export const modelProxyTokens = new Counter({
  name: 'clawloops_model_proxy_tokens_total',
  help: 'Tokens reported by upstreams through the credential proxy, by kind (prompt/completion).',
  labelNames: ['kind'] as const,
  registers: [registry],
});

export const modelProxyDuration = new Histogram({
  name: 'clawloops_model_proxy_request_duration_seconds',
  help: 'Credential-proxy request duration, including the whole streamed body.',
  labelNames: ['endpoint'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
  registers: [registry],
});

export const graphqlDuration = new Histogram({
  name: 'clawloops_graphql_operation_duration_seconds',
  help: 'GraphQL execution time by operation type (subscriptions: time to set up the stream).',
  labelNames: ['operation_type'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

export const graphqlActiveSubscriptions = new Gauge({
  name: 'clawloops_graphql_active_subscriptions',
  help: 'GraphQL subscriptions currently streaming (graphql-ws and SSE).',
  registers: [registry],
});

export const runtimesByPhase = new Gauge({
  name: 'clawloops_runtimes',
  help: 'Runtimes by observed phase, read from the database at scrape time.',
  labelNames: ['phase'] as const,
  registers: [registry],
});

export const dbPool = new Gauge({
  name: 'clawloops_server_db_pool_connections',
  help: 'PostgreSQL pool connections of this process by state (total/idle/waiting clients).',
  labelNames: ['state'] as const,
  registers: [registry],
});

/** The pg Pool behind MikroORM (only the counters we read). */
interface PoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

export async function setPoolGauges(gauge: typeof dbPool, orm: MikroORM): Promise<void> {
  const pool = (await orm.em.getConnection().getNativeClient()) as unknown as PoolCounts;
  gauge.set({ state: 'total' }, pool.totalCount);
  gauge.set({ state: 'idle' }, pool.idleCount);
  gauge.set({ state: 'waiting' }, pool.waitingCount);
}

/**
 * One grouped count over `runtimes` (an index-only scan at most) plus the pool counters. Every known
 * phase is written, zeros included, so a phase that empties drops to 0 instead of going stale.
 */
export async function refreshScrapeGauges(orm: MikroORM): Promise<void> {
  const rows = await orm.em
    .getConnection()
    .execute<{ phase: string; n: string }[]>(
      'select phase, count(*)::int as n from runtimes group by phase',
    );
  const counts = new Map(rows.map((r) => [r.phase, Number(r.n)]));
  for (const phase of RUNTIME_PHASES) runtimesByPhase.set({ phase }, counts.get(phase) ?? 0);
  await setPoolGauges(dbPool, orm);
}
