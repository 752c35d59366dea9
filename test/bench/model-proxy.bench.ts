/**
 * Issue "Model layer": credential-proxy throughput ÷ direct throughput to the same fake upstream, both
 * measured now (target ≥ 0.7), and the p50 latency the proxy adds at one connection (target < 2 ms).
 * Non-streaming chat completions; the fake upstream and the proxy each run in their own worker
 * thread; autocannon (throughput) and a keep-alive sequential loop (latency) run here. Loopback only.
 *
 * Two upstreams: one that answers at once, and one that takes 20 ms like a (very fast) model. With
 * the instant one every configuration is CPU-bound on this 2-core machine — generator, upstream and
 * proxy share two cores, so even a no-op pass-through only reaches ~0.35–0.5 of direct; that ratio
 * measures the machine. The proxy's own cost is its CPU time per request, reported for both.
 */
import { Agent, request } from 'node:http';
import { Worker } from 'node:worker_threads';
import autocannon from 'autocannon';
import { type BenchResult, percentile, round } from './bench.ts';
import { withBenchCluster } from './bench-cluster.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 32;
const SEQUENTIAL = 1500;
const BODY = JSON.stringify({
  model: 'bench-model',
  messages: [{ role: 'user', content: 'Say hello in five words.' }],
});

interface Target {
  port: number;
  key?: string;
  worker: Worker;
}

export function run(): Promise<BenchResult[]> {
  return withBenchCluster(async (database) => {
    const results: BenchResult[] = [];
    for (const delayMs of [0, 20]) {
      results.push(await measure(await database(`bench_model_proxy_${delayMs}`), delayMs));
    }
    return results;
  });
}

async function measure(url: string, delayMs: number): Promise<BenchResult> {
  const workers: Worker[] = [];
  try {
    const fake = await start({ mode: 'fake', responseDelayMs: delayMs }, workers);
    const upstreamUrl = `http://127.0.0.1:${fake.port}/v1`;
    const proxy = await start({ mode: 'proxy', databaseUrl: url, upstreamUrl }, workers);
    const bare = await start({ mode: 'bare', upstreamUrl }, workers);
    const direct = { port: fake.port, auth: 'Bearer sk-bench-upstream', model: 'fake-model' };
    const viaBare = { port: bare.port, auth: 'Bearer sk-bench-upstream', model: 'fake-model' };
    const viaProxy = { port: proxy.port, auth: `Bearer ${proxy.key}`, model: 'bench-model' };
    const latencyRounds = delayMs ? SEQUENTIAL / 10 : SEQUENTIAL;
    await sequential(viaProxy, 200 / (delayMs ? 10 : 1)); // warm-up: caches, sockets, JIT
    await sequential(direct, 200 / (delayMs ? 10 : 1));
    const d = await cannon(direct);
    const cpu0 = await cpuOf(proxy.worker);
    const p = await cannon(viaProxy);
    const proxyCpuUs = (await cpuOf(proxy.worker)) - cpu0;
    const b = await cannon(viaBare);
    const dLat = await sequential(direct, latencyRounds);
    const pLat = await sequential(viaProxy, latencyRounds);
    const rows = await ask<{ rows: number }>(proxy.worker, 'rows');
    return {
      name: `credential proxy vs direct, upstream answering in ${delayMs} ms (non-streaming chat, same run)`,
      target: delayMs
        ? 'throughput ratio ≥ 0.7; added p50 < 2 ms'
        : 'added p50 < 2 ms (throughput here is CPU-bound: see bare pass-through)',
      metrics: {
        connections: CONNECTIONS,
        direct_rps: round(d.requests.average, 0),
        proxy_rps: round(p.requests.average, 0),
        ratio_proxy_vs_direct: round(p.requests.average / d.requests.average),
        bare_passthrough_rps: round(b.requests.average, 0),
        ratio_bare_passthrough_vs_direct: round(b.requests.average / d.requests.average),
        ratio_proxy_vs_bare_passthrough: round(p.requests.average / b.requests.average),
        proxy_cpu_us_per_request: round(proxyCpuUs / Math.max(1, p.requests.total), 0),
        direct_p50_ms_1conn: round(dLat.p50, 3),
        proxy_p50_ms_1conn: round(pLat.p50, 3),
        added_p50_ms: round(pLat.p50 - dLat.p50, 3),
        proxy_p99_ms_1conn: round(pLat.p99, 3),
        proxy_errors: p.errors + p.non2xx,
        usage_rows_written: rows.rows,
      },
      notes: [
        `autocannon ${SECONDS} s × ${CONNECTIONS} connections each; latency: ${latencyRounds} sequential keep-alive requests`,
        'bare_passthrough: a 15-line node:http keep-alive pass-through (no auth, no parsing) — the ceiling for any Node proxy here',
        'each proxied request: key lookup (cached), grant lookup (cached), budget check, JSON rewrite, keep-alive upstream call (undici), usage parsed and batched into the ledger',
      ],
    };
  } finally {
    for (const w of workers) await stop(w);
  }
}

async function cpuOf(worker: Worker): Promise<number> {
  return (await ask<{ cpuUs: number }>(worker, 'cpu')).cpuUs;
}

interface Endpoint {
  port: number;
  auth: string;
  model: string;
}

const bodyFor = (e: Endpoint) => BODY.replace('bench-model', e.model);

function cannon(e: Endpoint) {
  return autocannon({
    url: `http://127.0.0.1:${e.port}/v1/chat/completions`,
    method: 'POST',
    headers: { authorization: e.auth, 'content-type': 'application/json' },
    body: bodyFor(e),
    connections: CONNECTIONS,
    duration: SECONDS,
  });
}

async function sequential(e: Endpoint, n: number): Promise<{ p50: number; p99: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const body = bodyFor(e);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: e.port,
          method: 'POST',
          path: '/v1/chat/completions',
          agent,
          headers: {
            authorization: e.auth,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    times.push(performance.now() - t0);
  }
  agent.destroy();
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

async function start(workerData: Record<string, unknown>, workers: Worker[]): Promise<Target> {
  const worker = new Worker(new URL('./model-proxy-target.ts', import.meta.url), { workerData });
  workers.push(worker);
  const first = await new Promise<{ port: number; key?: string }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return { ...first, worker };
}

function ask<T>(worker: Worker, message: string): Promise<T> {
  return new Promise((resolve) => {
    worker.once('message', resolve);
    worker.postMessage(message);
  });
}

async function stop(worker: Worker): Promise<void> {
  const exited = new Promise((r) => worker.once('exit', r));
  worker.postMessage('stop');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
}
