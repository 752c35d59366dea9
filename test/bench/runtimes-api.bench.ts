/**
 * Issue "Runtime API": (a) the admin dashboard query over 1,000 runtimes with their owners — SQL
 * statements per request (target ≤ 3, independent of N) and requests/s, with `{ serverTime }` on the
 * same server as the same-run baseline; (b) subscription fan-out — N graphql-ws subscribers (1,000
 * and 10,000) on one server process, one event appended by an outside writer (as the orchestrator
 * does): p50/p99 delivery latency (baseline: one subscriber) and the server process's RSS.
 */
import { type ChildProcess, fork } from 'node:child_process';
import autocannon from 'autocannon';
import pg from 'pg';
import { type BenchResult, round } from './bench.ts';
import { withBenchCluster } from './bench-cluster.ts';
import { appendViaWriter, fanOut } from './runtimes-api-fanout.ts';
import type { ServerCommand, ServerReady, ServerStats } from './runtimes-api-server.ts';

const RUNTIMES = Number(process.env.BENCH_DASHBOARD_RUNTIMES ?? 1000);
const SUBSCRIBERS = (process.env.BENCH_SUBSCRIBERS ?? '1000,10000').split(',').map(Number);

const DASHBOARD = `query Dashboard($first: Int) { runtimes(first: $first) { ... on RuntimeConnection { totalCount
  edges { node { id desiredState generation progress openUrl owner { id username }
    status { phase ready message upToDate } } } } } }`;

export function run(): Promise<BenchResult[]> {
  return withBenchCluster(async (database) => {
    const url = await database('bench_runtime_api');
    await seedRuntimes(url, RUNTIMES);
    const results = [await withServer(url, dashboard)];
    const runtimeId = await firstRuntimeId(url);
    // A fresh server process per fan-out size, so each RSS figure starts from a clean heap.
    const baseline = await withServer(url, (s) => fanOut(s, runtimeId, 1, appendViaWriter(url)));
    results.push(baseline);
    for (const n of SUBSCRIBERS) {
      results.push(
        await withServer(url, (s) => fanOut(s, runtimeId, n, appendViaWriter(url), baseline)),
      );
    }
    return results;
  });
}

async function withServer<T>(url: string, fn: (server: BenchServer) => Promise<T>): Promise<T> {
  const server = await startServerProcess(url);
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}

export interface BenchServer extends ServerReady {
  stats(): Promise<ServerStats>;
  resetStatements(): Promise<ServerStats>;
  stop(): Promise<void>;
}

/** The server as a child process: its RSS is measured alone, not with the load generator's. */
async function startServerProcess(databaseUrl: string): Promise<BenchServer> {
  const child: ChildProcess = fork(
    new URL('./runtimes-api-server.ts', import.meta.url).pathname,
    [databaseUrl],
    {
      env: { ...process.env, TEST_LOG_LEVEL: 'error' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const ready = await new Promise<ServerReady>((resolve, reject) => {
    child.once('message', (m) => resolve(m as ServerReady));
    child.once('exit', (code) => reject(new Error(`bench server exited (${code})`)));
  });
  const ask = (cmd: ServerCommand) =>
    new Promise<ServerStats>((resolve) => {
      child.once('message', (m) => resolve((m as { stats: ServerStats }).stats));
      child.send(cmd);
    });
  return {
    ...ready,
    stats: () => ask({ type: 'stats' }),
    resetStatements: () => ask({ type: 'reset' }),
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.send({ type: 'stop' });
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

async function dashboard(server: BenchServer): Promise<BenchResult> {
  const post = (query: string, variables: Record<string, unknown> = { first: 1000 }) =>
    fetch(server.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-clawloops-csrf': '1',
        cookie: server.adminCookie,
      },
      body: JSON.stringify({ query, variables }),
    }).then(async (r) => {
      const body = (await r.json()) as {
        data?: { runtimes?: { totalCount?: number } };
        errors?: unknown;
      };
      if (body.errors || r.status !== 200)
        throw new Error(`dashboard query failed: ${JSON.stringify(body.errors)}`);
      return body;
    });
  const first = await post(DASHBOARD);
  const rows = first.data?.runtimes?.totalCount;
  for (let i = 0; i < 10; i++) await post(DASHBOARD);
  await server.resetStatements();
  const dash = await cannon(server, DASHBOARD, { first: 1000 }, 10);
  const statements = (await server.stats()).statements;
  const base = await cannon(server, '{ serverTime }', {}, 5);
  return {
    name: `dashboard query: ${rows} runtimes with owners, status and openUrl`,
    target: 'SQL statements per request ≤ 3, independent of N',
    metrics: {
      runtimes_listed: rows ?? 0,
      sql_per_request: round(statements / dash.requests.total, 2),
      rps: round(dash.requests.average, 1),
      p50_ms: dash.latency.p50,
      p99_ms: dash.latency.p99,
      errors: dash.errors + dash.non2xx,
      baseline_serverTime_rps: round(base.requests.average, 1),
      ratio_vs_serverTime: round(dash.requests.average / base.requests.average, 3),
    },
    notes: [
      'autocannon, 8 connections, 10 s (baseline 5 s), loopback; server in its own process',
      'statements counted at the server’s MikroORM connection (session auth is cached after warm-up)',
    ],
  };
}

/** Closed-loop HTTP load with autocannon, bounded in time; POSTs like the SPA (JSON + CSRF header). */
function cannon(
  server: BenchServer,
  query: string,
  variables: Record<string, unknown>,
  seconds: number,
) {
  return autocannon({
    url: server.url,
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-clawloops-csrf': '1',
      cookie: server.adminCookie,
    },
    body: JSON.stringify({ query, variables }),
    connections: 8,
    duration: seconds,
  });
}

async function seedRuntimes(url: string, n: number): Promise<void> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    await db.query(
      `with u as (
         insert into users (id, username, username_key, role, status, must_change_password, created_at, updated_at)
         select gen_random_uuid(), 'bench-' || i, 'bench-' || i, 'user', 'active', false, now(), now()
           from generate_series(1, $1) i returning id)
       insert into runtimes (id, owner_id, created_at, desired_state, generation, retention_policy, profile,
                             runtime_version, restart_nonce, spec_updated_at, phase, conditions, observed_generation)
       select gen_random_uuid(), u.id, now(), 'running', 1, 'preserve', 'default', '', 0, now(), 'Pending', '[]', 0
         from u`,
      [n],
    );
  } finally {
    await db.end();
  }
}

async function firstRuntimeId(url: string): Promise<string> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const { rows } = await db.query<{ id: string }>(
    'select id from runtimes order by created_at, id limit 1',
  );
  await db.end();
  return rows[0]?.id as string;
}
