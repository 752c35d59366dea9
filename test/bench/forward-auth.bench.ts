/**
 * Issue "Entrance": ForwardAuth allow decisions/s against a bare `node:http` hello server's req/s,
 * both measured now with the same load generator (keep-alive, N concurrent connections, loopback,
 * bounded in time), p99 latency at 100 connections, and SQL statements per request in steady state
 * (target 0). Each server runs in its own worker thread; the generator runs in this thread.
 */
import { Agent, request } from 'node:http';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type BenchResult, percentile, round } from './bench.ts';
import { withBenchCluster } from './bench-cluster.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 100;

interface Load {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  requests: number;
}

export function run(): Promise<BenchResult[]> {
  return withBenchCluster(async (database) => {
    const url = await database('bench_forward_auth');
    const hello = await startTarget({ mode: 'hello' });
    const bare = await load(hello.port, {}, CONNECTIONS);
    await hello.stop();

    const fa = await startTarget({ mode: 'forward-auth', databaseUrl: url });
    const headers = {
      cookie: fa.cookie as string,
      'x-forwarded-host': 'u-alice.localhost:8080',
      'x-forwarded-uri': '/',
      'x-forwarded-method': 'GET',
      'x-forwarded-proto': 'http',
      accept: 'text/html',
    };
    await load(fa.port, headers, 10, 1); // warm-up: first lookups fill the caches
    const before = await fa.counts();
    const auth = await load(fa.port, headers, CONNECTIONS);
    const after = await fa.counts();
    await fa.stop();
    const sql = after.sql - before.sql;
    return [
      {
        name: 'forward-auth allow decisions vs bare node:http (same generator, same run)',
        target: 'sql_per_request = 0 in steady state',
        metrics: {
          connections: CONNECTIONS,
          bare_http_rps: round(bare.rps, 0),
          forward_auth_rps: round(auth.rps, 0),
          ratio_vs_bare_http: round(auth.rps / bare.rps),
          bare_http_p99_ms: round(bare.p99),
          forward_auth_p50_ms: round(auth.p50),
          forward_auth_p99_ms: round(auth.p99),
          forward_auth_requests: auth.requests,
          forward_auth_errors: auth.errors,
          allowed_during_run: after.counters.allow - before.counters.allow,
          sql_statements_during_run: sql,
          sql_per_request: round(sql / Math.max(1, auth.requests), 4),
        },
        notes: [
          `${SECONDS} s per measurement, keep-alive node:http client, ${CONNECTIONS} connections to 127.0.0.1`,
          'each request is a full /auth/forward: cookie HMAC check, cached session, cached host→runtime, decide()',
        ],
      },
    ];
  });
}

interface Target {
  port: number;
  cookie?: string;
  counts(): Promise<{ sql: number; counters: { allow: number } }>;
  stop(): Promise<void>;
}

async function startTarget(workerData: Record<string, unknown>): Promise<Target> {
  const worker = new Worker(new URL('./forward-auth-target.ts', import.meta.url), { workerData });
  const first = await new Promise<{ port: number; cookie?: string }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    ...first,
    counts: () =>
      new Promise((resolve) => {
        worker.once('message', resolve);
        worker.postMessage('counts');
      }),
    async stop() {
      const exited = new Promise((r) => worker.once('exit', r));
      worker.postMessage('stop');
      await exited;
    },
  };
}

/** N keep-alive connections, each looping request→response until the deadline. */
async function load(
  port: number,
  headers: Record<string, string>,
  connections: number,
  seconds = SECONDS,
): Promise<Load> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const req = request(
        { host: '127.0.0.1', port, path: '/auth/forward', agent, headers },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) latencies.push(performance.now() - t0);
            else errors++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end();
    });
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) await one();
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    rps: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
    requests: latencies.length + errors,
  };
}

// Standalone: `node test/bench/forward-auth.bench.ts`.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await run(), null, 2));
  process.exit(0);
}
