import pg from 'pg';
import { appendRuntimeEvent } from '../../schema/db/runtime-events.ts';
import { wsClient } from '../testkit/graphql.ts';
import { type BenchResult, percentile, round } from './bench.ts';
import type { BenchServer } from './runtimes-api.bench.ts';

/** Events appended per fan-out run; each is delivered to every subscriber. */
const EVENTS = 3;
/** Connections opened at once while subscribing (the rest wait their turn). */
const OPEN_BATCH = 250;

const SUBSCRIPTION = `subscription($f: RuntimeEventFilter) { runtimeEvents(filter: $f) {
  ... on RuntimeEvent { cursor type message runtime { id status { phase ready message } } } } }`;

/** Appends events from outside the server, as the orchestrator does: own connection and transaction. */
export interface EventWriter {
  /** Opens a transaction and appends; resolves with `commit` (time it: that is when NOTIFY fires). */
  prepare(runtimeId: string, message: string): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export function appendViaWriter(url: string): EventWriter {
  const db = new pg.Client({ connectionString: url });
  const connected = db.connect();
  const run = async (sql: string, params: unknown[]) => {
    let i = 0;
    const text = sql.replace(/\?/g, () => `$${++i}`);
    return (await db.query(text, params)).rows as Record<string, unknown>[];
  };
  return {
    async prepare(runtimeId, message) {
      await connected;
      await db.query('begin');
      await appendRuntimeEvent(run, { runtimeId, type: 'Progress', phase: 'Starting', message });
      return async () => void (await db.query('commit'));
    },
    close: () => db.end(),
  };
}

/**
 * N graphql-ws connections (one subscription each, as N dashboards would have) on the server
 * process, then EVENTS events appended one after another; latency is from the COMMIT being sent to
 * each subscriber receiving the event. RSS is the server child process's own.
 */
export async function fanOut(
  server: BenchServer,
  runtimeId: string,
  n: number,
  writer: EventWriter,
  baseline?: BenchResult,
): Promise<BenchResult> {
  const idle = await server.stats();
  const times: number[][] = Array.from({ length: EVENTS }, () => []);
  let errors = 0;
  const clients: ReturnType<typeof wsClient>[] = [];
  const variables = { f: { runtimeId: Buffer.from(`Runtime:${runtimeId}`).toString('base64') } };
  const t0 = performance.now();
  for (let opened = 0; opened < n; ) {
    const batch = Math.min(OPEN_BATCH, n - opened);
    for (let i = 0; i < batch; i++) {
      const c = wsClient(server.wsUrl, { cookie: server.adminCookie });
      c.client.subscribe<{ runtimeEvents: { message: string } }>(
        { query: SUBSCRIPTION, variables },
        {
          next: (r) => {
            const k = Number(r.data?.runtimeEvents.message.split(' ').at(-1));
            if (Number.isInteger(k)) times[k]?.push(performance.now());
          },
          error: () => errors++,
          complete: () => {},
        },
      );
      clients.push(c);
    }
    opened += batch;
    await until(
      async () => (await server.stats()).subscribers >= idle.subscribers + opened,
      120_000,
    );
  }
  const subscribeSeconds = (performance.now() - t0) / 1000;
  const subscribed = await server.stats();

  const latencies: number[] = [];
  let delivered = n;
  for (let k = 0; k < EVENTS; k++) {
    const commit = await writer.prepare(runtimeId, `fan-out ${n} ${k}`);
    const sent = performance.now();
    await commit();
    await until(() => (times[k]?.length ?? 0) >= n, 60_000).catch(() => {});
    delivered = Math.min(delivered, times[k]?.length ?? 0);
    latencies.push(...(times[k] ?? []).map((t) => t - sent));
  }
  const after = await server.stats();
  await Promise.all(clients.map((c) => c.dispose()));
  await until(async () => (await server.stats()).subscribers <= idle.subscribers, 60_000).catch(
    () => {},
  );
  await writer.close();

  latencies.sort((a, b) => a - b);
  const mb = (b: number) => round(b / 1024 / 1024, 1);
  const p50 = percentile(latencies, 50);
  return {
    name: `subscription fan-out: ${n} graphql-ws subscriber(s), ${EVENTS} events`,
    target:
      n > 1
        ? 'every subscriber gets every event; p99 and RSS reported'
        : 'baseline for the rows below',
    metrics: {
      subscribers: n,
      delivered_per_event_min: delivered,
      client_errors: errors,
      p50_ms: round(p50, 1),
      p99_ms: round(percentile(latencies, 99), 1),
      max_ms: round(latencies.at(-1) ?? Number.NaN, 1),
      ...(baseline
        ? { p50_ratio_vs_1_subscriber: round(p50 / Number(baseline.metrics.p50_ms), 1) }
        : {}),
      subscribe_all_s: round(subscribeSeconds, 1),
      server_rss_idle_mb: mb(idle.rssBytes),
      server_rss_subscribed_mb: mb(subscribed.rssBytes),
      server_rss_after_events_mb: mb(after.rssBytes),
      server_rss_per_subscriber_kb:
        n > 1 ? round((subscribed.rssBytes - idle.rssBytes) / n / 1024, 1) : 'n/a',
    },
    notes: [
      'server runs as a child process (RSS is its own); clients and the event writer run in the bench process',
    ],
  };
}

async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
