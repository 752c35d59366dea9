/**
 * Issue "Orchestrator": reconcile 5,000 runtimes to Running on the Kubernetes API-server simulator
 * (a test double) — wall time, API requests, and the writes a steady-state resync makes (target 0).
 * The local spawn overhead is local-spawn.bench.ts.
 */
import pg from 'pg';
import { createKubernetesDriver } from '../../orchestrator/src/drivers/kubernetes/kubernetes-driver.ts';
import { startKubeSim } from '../kube-sim/sim.ts';
import { startTestOrchestrator } from '../testkit/orchestrator.ts';
import { waitFor } from '../testkit/wait.ts';
import type { BenchResult } from './bench.ts';
import { round } from './bench.ts';
import { withBenchCluster } from './bench-cluster.ts';

const N = Number(process.env.BENCH_RUNTIMES ?? 5000);
const NS = 'clawloops-runtimes';

export function run(): Promise<BenchResult[]> {
  return withBenchCluster(async (database) => [await reconcileMany(await database('bench_k8s'))]);
}

async function reconcileMany(url: string): Promise<BenchResult> {
  const sim = await startKubeSim({ namespaces: ['default', NS], kubelet: { readyDelayMs: 5 } });
  const db = new pg.Pool({ connectionString: url, max: 2 });
  const driver = createKubernetesDriver({
    kubeConfig: sim.kubeConfig(NS),
    namespace: NS,
    baseDomain: 'bench.test',
  });
  const orch = await startTestOrchestrator(url, driver, {
    controller: { workers: 16, maxConcurrentStarts: 256, resyncMs: 3_600_000 },
  });
  try {
    await seedRuntimes(db, N);
    const t0 = performance.now();
    sim.requestLog.clear();
    orch.orchestrator.controller?.resync();
    let lastReport = t0;
    await waitFor(
      'all Running',
      async () => {
        const running = await countRunning(db);
        if (performance.now() - lastReport > 30_000) {
          lastReport = performance.now();
          const s = Math.round((lastReport - t0) / 1000);
          process.stdout.write(`  … ${running}/${N} Running after ${s} s\n`);
        }
        return running === N;
      },
      { timeoutMs: 900_000, intervalMs: 500 },
    );
    const wallMs = performance.now() - t0;
    const requests = sim.requestLog.filter({}).length;

    sim.requestLog.clear();
    await orch.orchestrator.controller?.resync();
    await waitFor('resync drained', () => orch.orchestrator.controller?.stats.queueDepth === 0, {
      timeoutMs: 120_000,
    });
    await new Promise((r) => setTimeout(r, 2_000));
    const resyncWrites = sim.requestLog.filter({}).filter((e) => e.method !== 'GET').length;
    return {
      name: `reconcile ${N} runtimes to Running (Kubernetes simulator)`,
      target: 'steady-state resync writes = 0',
      metrics: {
        runtimes: N,
        wall_s: round(wallMs / 1000),
        runtimes_per_s: round(N / (wallMs / 1000)),
        api_requests: requests,
        api_requests_per_runtime: round(requests / N),
        steady_state_resync_writes: resyncWrites,
      },
      notes: [
        '16 workers, 256 concurrent starts; simulated kubelet (schedule/start/ready delays of a few ms)',
      ],
    };
  } finally {
    await orch.stop();
    await db.end();
    await sim.stop();
  }
}

async function seedRuntimes(db: pg.Pool, n: number): Promise<void> {
  await db.query(
    `insert into users (id, username, username_key, role, status, must_change_password, created_at, updated_at)
     select gen_random_uuid(), 'bench' || i, 'bench' || i, 'user', 'active', false, now(), now() from generate_series(1, $1) i`,
    [n],
  );
  await db.query(
    `insert into runtimes (id, owner_id, created_at, desired_state, generation, retention_policy, profile, runtime_version,
                           restart_nonce, spec_updated_at, phase, conditions, observed_generation)
     select gen_random_uuid(), id, now(), 'running', 1, 'preserve', 'default', '', 0, now(), 'Pending', '[]', 0 from users`,
  );
}

async function countRunning(db: pg.Pool): Promise<number> {
  const { rows } = await db.query(
    `select count(*)::int as n from runtimes where phase = 'Running'`,
  );
  return rows[0].n;
}
