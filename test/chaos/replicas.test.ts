import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type KubeSim, startKubeSim } from '../kube-sim/sim.ts';
import { TEST_SECRET } from '../testkit/orchestrator.ts';
import { seed } from '../testkit/seed.ts';
import { startTestServer, type TestServer } from '../testkit/server.ts';
import { waitFor } from '../testkit/wait.ts';
import { lostAcknowledgements } from './acknowledged.ts';
import { chaosRun } from './chaos-seed.ts';
import { convergenceViolations, runtimeFacts, simObjects } from './cluster-check.ts';
import { isWrite, type KubeTap, startKubeTap, type TapEntry } from './kube-tap.ts';
import { LifecycleWorkload, runOperations, sleep } from './lifecycle-workload.ts';
import { OrchestratorFleet, type Replica } from './orchestrator-fleet.ts';
import { ResumingSubscriber } from './resuming-subscriber.ts';

/**
 * Two control-plane servers (each its own app, pool, LISTEN connection and event hub, as two
 * processes would have) and two orchestrator processes on one database: mutations go to both
 * servers in turn, subscribers listen on both, and the active orchestrator is SIGKILLed again and
 * again (a new standby replaces it each time). Each orchestrator reaches the simulator through its
 * own tap, so every Kubernetes request is attributed: a standby must send none and leaderships must
 * not overlap (the controller, the only code that writes to Kubernetes or status, runs only while
 * leading). Hand-over times are measured and reported; the bound asserted is loose.
 */
const NS = 'clawloops-runtimes';
const run = chaosRun('replicas');
const HANDOVERS = run.scale(3, 12);
const TENANTS = run.scale(16, 40);
const TARGET = { secret: TEST_SECRET, publicUrl: 'http://localhost:8080' };

let sim: KubeSim;
let servers: TestServer[] = [];
let fleet: OrchestratorFleet;
let workload: LifecycleWorkload;
let adminCookie: string;
const taps: KubeTap[] = [];
const tapLog: TapEntry[] = [];
const subscribers: ResumingSubscriber[] = [];

const sql = (query: string, params: unknown[] = []) =>
  (servers[0] as TestServer).deps.orm.em
    .fork()
    .getConnection()
    .execute<Record<string, unknown>[]>(query, params);

async function spawnReplica(): Promise<Replica> {
  const tap = await startKubeTap({
    target: sim.url,
    token: sim.token,
    replica: fleet.nextName,
    log: tapLog,
  });
  taps.push(tap);
  const replica = fleet.spawn(tap.kubeConfig(NS));
  await waitFor(
    `${replica.name} running`,
    () => {
      if (replica.child.exitCode !== null) throw new Error(`${replica.name} exited`);
      return replica.startedAt !== undefined;
    },
    { timeoutMs: 30_000, intervalMs: 20 },
  );
  return replica;
}

beforeAll(async () => {
  sim = await startKubeSim({ namespaces: ['default', 'kube-system', NS], seed: run.seed });
  const a = await startTestServer();
  servers = [a, await startTestServer({ databaseUrl: a.databaseUrl })];
  fleet = new OrchestratorFleet({
    databaseUrl: a.databaseUrl,
    dir: mkdtempSync(join(tmpdir(), 'clawloops-chaos-')),
    kubeConfig: () => sim.kubeConfig(NS),
  });
  const { createUser, loginAs } = seed(a);
  adminCookie = await loginAs(await createUser({ username: 'chaos-admin', role: 'admin' }));
  workload = await LifecycleWorkload.create(a, TENANTS, {
    random: run.random,
    isGone: async (id) =>
      (await sql('select phase from runtimes where id = ?', [id]))[0]?.phase === 'Deleted',
  });
});

afterAll(async () => {
  for (const s of subscribers) await s.stop();
  await fleet?.stopAll();
  for (const t of taps) await t.stop();
  for (const s of servers) await s.stop();
  await sim?.stop();
});

it(
  `two servers and two orchestrators: one orchestrator acts at a time; ${HANDOVERS} SIGKILLs of the active one hand over`,
  async () => {
    const { random } = run;
    const start = String(
      (await sql('select coalesce(max(id), 0)::text as id from runtime_events'))[0]?.id,
    );
    for (const s of servers) {
      const sub = new ResumingSubscriber(() => s.wsUrl, adminCookie, start);
      subscribers.push(sub);
      sub.start();
    }
    const first = await spawnReplica();
    await waitFor('first leader', () => first.electedAt !== undefined, { timeoutMs: 30_000 });
    await spawnReplica();

    let loadDone = false;
    const load = runOperations(workload, {
      total: Number.MAX_SAFE_INTEGER,
      lanes: 2,
      meanGapMs: 120,
      urls: () => servers.map((s) => s.url),
      random,
      stop: () => loadDone,
    });
    const handovers: { elected: number; firstWrite: number }[] = [];
    for (let i = 0; i < HANDOVERS; i++) {
      await sleep(random.int(1_500, 4_000));
      const leader = fleet.leader() as Replica;
      const standby = fleet.alive().find((r) => r !== leader) as Replica;
      await fleet.kill(leader);
      const killedAt = leader.killedAt as number;
      await waitFor(`${standby.name} elected`, () => standby.electedAt !== undefined, {
        timeoutMs: 60_000,
        intervalMs: 20,
      });
      await waitFor(
        `${standby.name} writing`,
        () => tapLog.some((e) => e.replica === standby.name && isWrite(e)),
        { timeoutMs: 60_000, intervalMs: 20 },
      );
      const firstWrite = tapLog.find((e) => e.replica === standby.name && isWrite(e)) as TapEntry;
      handovers.push({
        elected: (standby.electedAt as number) - killedAt,
        firstWrite: firstWrite.time - killedAt,
      });
      await spawnReplica();
    }
    loadDone = true;
    await load;
    expect(workload.count('failed'), 'operations with no answer').toBe(0);

    let violations: string[] = [];
    await waitFor(
      'convergence',
      async () => {
        violations = convergenceViolations(
          await runtimeFacts((servers[0] as TestServer).deps.orm, TARGET),
          simObjects(sim, NS),
        );
        return violations.length === 0;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    ).catch((err) => {
      throw new Error(`${(err as Error).message}\n${violations.slice(0, 20).join('\n')}`);
    });

    // No double action: a replica sends nothing to Kubernetes before it is elected, and each
    // leadership ends (with its process) before the next begins.
    const early = tapLog.filter((e) => {
      const r = fleet.replicas.find((x) => x.name === e.replica) as Replica;
      return r.electedAt === undefined || e.time < r.electedAt;
    });
    expect(early, 'requests from a replica that was not the leader').toEqual([]);
    const leaders = fleet.replicas.filter((r) => r.electedAt !== undefined);
    for (let i = 1; i < leaders.length; i++) {
      const previous = leaders[i - 1] as Replica;
      expect(
        previous.killedAt,
        `${previous.name} killed before the next election`,
      ).toBeLessThanOrEqual((leaders[i] as Replica).electedAt as number);
    }
    expect(await lostAcknowledgements((servers[0] as TestServer).deps.orm, workload)).toEqual([]);

    // Both servers' subscribers saw every event exactly once, in order.
    const expected = (
      await sql('select id::text as cursor from runtime_events where id > ? order by id', [start])
    ).map((r) => String(r.cursor));
    await waitFor(
      'subscribers caught up',
      () => subscribers.every((s) => s.lastCursor === expected.at(-1)),
      { timeoutMs: 30_000 },
    );
    for (const s of subscribers) expect(s.differences(expected)).toEqual([]);

    const writes = fleet.replicas
      .map((r) => `${r.name} ${tapLog.filter((e) => e.replica === r.name && isWrite(e)).length}`)
      .join(', ');
    const ms = (xs: number[]) => `${Math.min(...xs)}–${Math.max(...xs)} ms`;
    run.report(
      `${workload.records.length} operations over 2 servers (kind acked/refused/failed: ${workload.summary()}); ` +
        `${fleet.kills} SIGKILLs of the leader; hand-over kill→elected ${ms(handovers.map((h) => h.elected))}, ` +
        `kill→first Kubernetes write ${ms(handovers.map((h) => h.firstWrite))} ` +
        `(${handovers.map((h) => `${h.elected}/${h.firstWrite}`).join(', ')}); Kubernetes writes per replica: ${writes}; ` +
        `requests from non-leaders 0, overlapping leaderships 0; ${expected.length} events seen once by each server's subscriber`,
    );
  },
  run.scale(180_000, 900_000),
);
