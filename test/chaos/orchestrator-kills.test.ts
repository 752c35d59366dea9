import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type KubeSim, startKubeSim } from '../kube-sim/sim.ts';
import { TEST_SECRET } from '../testkit/orchestrator.ts';
import { startTestServer, type TestServer } from '../testkit/server.ts';
import { waitFor } from '../testkit/wait.ts';
import { lostAcknowledgements } from './acknowledged.ts';
import { chaosRun } from './chaos-seed.ts';
import { convergenceViolations, runtimeFacts, simObjects, specSnapshot } from './cluster-check.ts';
import { LifecycleWorkload, runOperations, sleep } from './lifecycle-workload.ts';
import { OrchestratorFleet, type Replica } from './orchestrator-fleet.ts';

/**
 * SIGKILL the orchestrator process at random points while tenants start, stop, restart, delete
 * (preserving or wiping the workspace) and recreate runtimes through the API; then let one last
 * replica run. Everything must converge to the desired state with no duplicate or orphaned object in
 * the simulator, and the spec the API acknowledged must be exactly what PostgreSQL holds.
 * (Crash loop ⇒ back-off ⇒ Failed ⇒ recovery is proved in
 * test/integration/orchestrator/kubernetes-lifecycle.test.ts on both Kubernetes backends.)
 */
const NS = 'clawloops-runtimes';
const run = chaosRun('orchestrator kills');
const OPERATIONS = run.scale(200, 1000);
const TENANTS = run.scale(30, 60);
const TARGET = { secret: TEST_SECRET, publicUrl: 'http://localhost:8080' };

let sim: KubeSim;
let server: TestServer;
let fleet: OrchestratorFleet;
let workload: LifecycleWorkload;

beforeAll(async () => {
  sim = await startKubeSim({ namespaces: ['default', 'kube-system', NS], seed: run.seed });
  server = await startTestServer();
  fleet = new OrchestratorFleet({
    databaseUrl: server.databaseUrl,
    dir: mkdtempSync(join(tmpdir(), 'clawloops-chaos-')),
    kubeConfig: () => sim.kubeConfig(NS),
  });
  workload = await LifecycleWorkload.create(server, TENANTS, {
    random: run.random,
    isGone: async (id) => {
      const rows = await server.deps.orm.em
        .fork()
        .getConnection()
        .execute('select phase from runtimes where id = ?', [id]);
      return rows[0]?.phase === 'Deleted';
    },
  });
});

afterAll(async () => {
  await fleet?.stopAll();
  await server?.stop();
  await sim?.stop();
});

/**
 * Lets `replica` lead for a random while, then kills it: at a uniformly random time, or (half the
 * time) a few milliseconds after the next acknowledged operation, while its reconcile is in flight.
 * One kill in five lands before the replica is even elected.
 */
async function killAtRandomPoint(replica: Replica, operationsDone: () => boolean): Promise<void> {
  const { random } = run;
  if (random.chance(0.8)) {
    await waitFor(
      `${replica.name} elected`,
      () => {
        if (replica.child.exitCode !== null)
          throw new Error(`${replica.name} exited: ${replica.problems.join('\n')}`);
        return replica.electedAt !== undefined;
      },
      { timeoutMs: 30_000, intervalMs: 20 },
    );
    if (random.chance(0.5)) await sleep(random.int(0, 2_500));
    else {
      const seen = workload.records.length;
      await waitFor('an operation', () => workload.records.length > seen || operationsDone(), {
        timeoutMs: 10_000,
      });
      await sleep(random.int(0, 80));
    }
  } else await sleep(random.int(0, 3_000));
  await fleet.kill(replica);
}

it(
  `converges after ${OPERATIONS} lifecycle operations with the orchestrator SIGKILLed at random points`,
  async () => {
    const { random } = run;
    let operationsDone = false;
    const operations = runOperations(workload, {
      total: OPERATIONS,
      lanes: 2,
      meanGapMs: 230,
      urls: () => [server.url],
      random,
    }).finally(() => {
      operationsDone = true;
    });
    const killer = (async () => {
      while (!operationsDone) {
        await killAtRandomPoint(fleet.spawn(), () => operationsDone);
        await sleep(random.int(0, 800)); // nobody reconciles for a moment: changes pile up
      }
    })();
    await Promise.all([operations, killer]);
    const lastKill = Date.now();

    // Acknowledged means stored: every runtime's spec is what its last acknowledged operation returned.
    expect(workload.count('failed'), 'operations with no answer').toBe(0);
    const specs = await server.deps.orm.em
      .fork()
      .getConnection()
      .execute('select id, desired_state, generation from runtimes');
    const stored = new Map(specs.map((r) => [String(r.id), r]));
    const lost: string[] = [];
    for (const [id, ops] of workload.ackedByRuntime()) {
      const last = ops.at(-1);
      const row = stored.get(id);
      if (row?.desired_state !== last?.desiredState || Number(row?.generation) !== last?.generation)
        lost.push(
          `${id}: acked ${last?.desiredState}@${last?.generation}, stored ${JSON.stringify(row)}`,
        );
    }
    expect(lost).toEqual([]);
    expect(await lostAcknowledgements(server.deps.orm, workload)).toEqual([]);

    const before = await specSnapshot(server.deps.orm);
    fleet.spawn();
    let violations: string[] = [];
    await waitFor(
      'convergence',
      async () => {
        const facts = await runtimeFacts(server.deps.orm, TARGET);
        violations = convergenceViolations(facts, simObjects(sim, NS));
        return violations.length === 0;
      },
      { timeoutMs: run.scale(90_000, 240_000), intervalMs: 500 },
    ).catch((err) => {
      throw new Error(`${(err as Error).message}\n${violations.slice(0, 30).join('\n')}`);
    });
    const convergedMs = Date.now() - lastKill;
    expect(await specSnapshot(server.deps.orm), 'spec rows changed by the orchestrator').toBe(
      before,
    );

    const runtimes = (await runtimeFacts(server.deps.orm, TARGET)).length;
    run.report(
      `${workload.records.length} operations (acked ${workload.count('acked')}, ` +
        `refused ${workload.count('refused')}; kind acked/refused/failed: ${workload.summary()}) ` +
        `over ${TENANTS} tenants / ${runtimes} runtimes, ${fleet.kills} SIGKILLs, ` +
        `converged ${convergedMs} ms after the last kill; lost 0, orphans 0, duplicates 0`,
    );
  },
  run.scale(240_000, 1_200_000),
);
