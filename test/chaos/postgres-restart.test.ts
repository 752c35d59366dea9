import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrate } from '../../schema/migrate.ts';
import { type KubeSim, startKubeSim } from '../kube-sim/sim.ts';
import { startTestCluster, type TestCluster } from '../support/postgres-cluster.ts';
import { withDatabase } from '../testkit/database-url.ts';
import { TEST_SECRET } from '../testkit/orchestrator.ts';
import { seed } from '../testkit/seed.ts';
import { startTestServer, type TestServer } from '../testkit/server.ts';
import { waitFor } from '../testkit/wait.ts';
import { lostAcknowledgements } from './acknowledged.ts';
import { chaosRun } from './chaos-seed.ts';
import { convergenceViolations, runtimeFacts, simObjects } from './cluster-check.ts';
import { LifecycleWorkload, runOperations, sleep } from './lifecycle-workload.ts';
import { OrchestratorFleet, type Replica } from './orchestrator-fleet.ts';
import { ResumingSubscriber } from './resuming-subscriber.ts';

/**
 * PostgreSQL restarted (fast shutdown or crash) while tenants keep sending mutations: the server and
 * the orchestrator process reconnect by themselves, every mutation that was acknowledged is stored,
 * and a runtimeEvents subscriber that resumes from its cursor ends up with exactly the event table.
 * Runs on its own PostgreSQL cluster (the shared one must not go down under other test files).
 */
const NS = 'clawloops-runtimes';
const run = chaosRun('postgres restarts');
const RESTARTS = run.scale(2, 10);
const TENANTS = run.scale(12, 30);
const TARGET = { secret: TEST_SECRET, publicUrl: 'http://localhost:8080' };

let cluster: TestCluster;
let sim: KubeSim;
let server: TestServer;
let fleet: OrchestratorFleet;
let orchestrator: Replica;
let workload: LifecycleWorkload;
let adminCookie: string;
let subscriber: ResumingSubscriber | undefined;

const sql = (query: string, params: unknown[] = []) =>
  server.deps.orm.em.fork().getConnection().execute<Record<string, unknown>[]>(query, params);

beforeAll(async () => {
  cluster = await startTestCluster({ crashSafeCommits: true });
  const databaseUrl = withDatabase(cluster.adminUrl, 'chaos');
  await migrate(databaseUrl);
  sim = await startKubeSim({ namespaces: ['default', 'kube-system', NS], seed: run.seed });
  server = await startTestServer({ databaseUrl });
  fleet = new OrchestratorFleet({
    databaseUrl,
    dir: mkdtempSync(join(tmpdir(), 'clawloops-chaos-')),
    kubeConfig: () => sim.kubeConfig(NS),
  });
  orchestrator = fleet.spawn();
  const { createUser, loginAs } = seed(server);
  adminCookie = await loginAs(await createUser({ username: 'chaos-admin', role: 'admin' }));
  workload = await LifecycleWorkload.create(server, TENANTS, {
    random: run.random,
    isGone: async (id) =>
      (await sql('select phase from runtimes where id = ?', [id]))[0]?.phase === 'Deleted',
  });
});

afterAll(async () => {
  await subscriber?.stop();
  await fleet?.stopAll();
  await server?.stop();
  await sim?.stop();
  await cluster?.stop();
});

it(
  `survives ${RESTARTS} PostgreSQL restarts under load: reconnects, loses no acknowledged mutation, resumes subscriptions`,
  async () => {
    const { random } = run;
    await waitFor('orchestrator elected', () => orchestrator.electedAt !== undefined);
    const start = String(
      (await sql('select coalesce(max(id), 0)::text as id from runtime_events'))[0]?.id,
    );
    const sub = new ResumingSubscriber(() => server.wsUrl, adminCookie, start);
    subscriber = sub;
    sub.start();

    let loadDone = false;
    const load = runOperations(workload, {
      total: Number.MAX_SAFE_INTEGER,
      lanes: 4,
      meanGapMs: 40,
      urls: () => [server.url],
      random,
      stop: () => loadDone,
    });
    const outages: { mode: string; downMs: number; upAt: number }[] = [];
    for (let i = 0; i < RESTARTS; i++) {
      await sleep(random.int(1_000, 3_000));
      const mode = random.pick(['fast', 'immediate'] as const);
      const downMs = random.int(200, 2_000);
      const restart = cluster.restart({ mode, downMs });
      // The client loses its socket during the outage too: it must resume from its cursor, and its
      // first attempts meet a server that cannot reach the database.
      if (i === 0 || random.chance(0.5)) await sleep(random.int(0, downMs)).then(() => sub.drop());
      await restart;
      outages.push({ mode, downMs, upAt: Date.now() });
    }
    const lastUp = (outages.at(-1) as { upAt: number }).upAt;
    // The server is back once mutations are acknowledged again.
    await waitFor(
      'a mutation acknowledged after the last restart',
      () => workload.records.some((r) => r.outcome === 'acked' && r.startedAt > lastUp),
      { timeoutMs: 30_000 },
    );
    const serverBackMs =
      Math.min(
        ...workload.records
          .filter((r) => r.outcome === 'acked' && r.startedAt > lastUp)
          .map((r) => r.endedAt),
      ) - lastUp;
    loadDone = true;
    await load;

    // The orchestrator is the same process, led again, and converges every runtime.
    expect(fleet.alive(), 'orchestrator process survived').toContain(orchestrator);
    let violations: string[] = [];
    await waitFor(
      'convergence after the outages',
      async () => {
        violations = convergenceViolations(
          await runtimeFacts(server.deps.orm, TARGET),
          simObjects(sim, NS),
        );
        return violations.length === 0;
      },
      { timeoutMs: run.scale(90_000, 180_000), intervalMs: 500 },
    ).catch((err) => {
      throw new Error(
        `${(err as Error).message}\n${violations.slice(0, 20).join('\n')}\n${orchestrator.problems.slice(-10).join('\n')}`,
      );
    });
    // It noticed: lost the leader lock with the connection, stepped down, and was elected again.
    expect(orchestrator.elections.length).toBeGreaterThan(1);
    expect(orchestrator.elections.length).toBe(orchestrator.stepDowns.length + 1);

    expect(await lostAcknowledgements(server.deps.orm, workload)).toEqual([]);
    // Signed-in callers are told to retry during an outage, never treated as signed out.
    const signedOut = workload.records.filter((r) => r.detail === 'UNAUTHENTICATED');
    expect(signedOut.length, workload.refusals()).toBe(0);

    const expected = async () =>
      (
        await sql('select id::text as cursor from runtime_events where id > ? order by id', [start])
      ).map((r) => String(r.cursor));
    await waitFor(
      'subscriber caught up',
      async () => sub.lastCursor === (await expected()).at(-1),
      {
        timeoutMs: 30_000,
      },
    ).catch((err) => {
      throw new Error(
        `${(err as Error).message}; received ${sub.received.length} up to ${sub.lastCursor}, ` +
          `hub delivered up to ${server.deps.hub.deliveredUpTo}, LISTEN connected ${server.listener.connected}, ` +
          `interruptions: ${sub.interruptions.join(' | ')}`,
      );
    });
    await sleep(300); // anything delivered twice would arrive now
    await sub.stop();
    expect(sub.differences(await expected())).toEqual([]);

    run.report(
      `${RESTARTS} restarts (${outages.map((o) => `${o.mode} ${o.downMs} ms down`).join(', ')}); ` +
        `${workload.records.length} operations under load (acked ${workload.count('acked')}, refused ${workload.count('refused')} [${workload.refusals()}], ` +
        `failed during outages ${workload.count('failed')}); server acknowledging again ${serverBackMs} ms after the last restart; ` +
        `orchestrator elected ${orchestrator.elections.length} times (stepped down ${orchestrator.stepDowns.length}) in one process; ` +
        `subscriber: ${sub.received.length} events, ${sub.resubscriptions} resubscriptions, 0 gaps, 0 duplicates; ` +
        `lost acknowledged mutations 0`,
    );
  },
  run.scale(240_000, 900_000),
);
