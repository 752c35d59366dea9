import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInstaller } from '../../orchestrator/src/drivers/local/install.ts';
import { createLocalDriver } from '../../orchestrator/src/drivers/local/local-driver.ts';
import { DEFAULT_OPENCLAW_VERSION } from '../../schema/domain/profiles.ts';
import { startTestOrchestrator } from '../testkit/orchestrator.ts';
import { SpecWriter } from '../testkit/spec-writer.ts';
import { waitFor } from '../testkit/wait.ts';
import { type BenchResult, round } from './bench.ts';
import { withBenchCluster } from './bench-cluster.ts';

/**
 * Issue "Orchestrator": local spawn overhead — spec write to Running through the orchestrator with
 * the local driver, divided by a bare `openclaw gateway` start to /startupz ok, both measured here,
 * now, interleaved (target ≤ 1.15). Real OpenClaw on both sides.
 */
export function run(): Promise<BenchResult[]> {
  return withBenchCluster(async (database) => [
    await measureLocalSpawnOverhead(await database('bench_local')),
  ]);
}

const ROUNDS = Number(process.env.BENCH_SPAWN_ROUNDS ?? 3);
const noop = () => {};

/** Median of orchestrated spec-write→Running over median of a bare gateway start→/startupz ok. */
async function measureLocalSpawnOverhead(databaseUrl: string): Promise<BenchResult> {
  const cacheDir = join(homedir(), '.cache', 'clawloops', 'openclaw');
  const logger = { info: noop, warn: noop, error: noop, debug: noop };
  const installer = createInstaller({
    cacheDir,
    nodeBinary: process.execPath,
    npmBinary: 'npm',
    logger,
  });
  const pkg = await installer.ensure(DEFAULT_OPENCLAW_VERSION, noop);
  const dataDir = mkdtempSync(join(tmpdir(), 'clawloops-bench-'));
  const spec = new SpecWriter(databaseUrl);
  const driver = createLocalDriver({ dataDir, portBase: 23_000 });
  const orch = await startTestOrchestrator(databaseUrl, driver);
  const bare: number[] = [];
  const orchestrated: Timeline[] = [];
  try {
    // Warm both sides once: page cache, and each side's V8 compile cache (bare: /tmp's; ours: the
    // cache shared by all local runtimes).
    await bareStart(pkg, 22_900);
    await orchestratedStart(spec, 'spawnwarm');
    for (let i = 0; i < ROUNDS; i++) {
      bare.push(await bareStart(pkg, 22_900));
      orchestrated.push(await orchestratedStart(spec, `spawn${i}`));
    }
  } finally {
    await orch.stop();
    for (const id of await driver.listKnown())
      await driver.ensureDeleted(id, '', 'preserve').catch(() => {});
    await spec.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const b = median(bare);
  const o = median(orchestrated.map((t) => t.total));
  return {
    name: 'local spawn overhead (real OpenClaw)',
    target: 'ratio ≤ 1.15',
    metrics: {
      bare_gateway_to_startupz_ms: Math.round(b),
      spec_write_to_running_ms: Math.round(o),
      ratio: round(o / b, 3),
      spec_write_to_spawned_ms: Math.round(median(orchestrated.map((t) => t.toSpawned))),
      spawned_to_running_ms: Math.round(median(orchestrated.map((t) => t.spawnedToRunning))),
      rounds: ROUNDS,
    },
    notes: [
      'orchestrated = spec row + NOTIFY → phase Running in PostgreSQL (fresh workspace each round)',
      'spawned = the Starting event (process created); both split points are PostgreSQL now()',
    ],
  };
}

interface Timeline {
  total: number;
  toSpawned: number;
  spawnedToRunning: number;
}

async function orchestratedStart(spec: SpecWriter, username: string): Promise<Timeline> {
  const owner = await spec.user(username);
  const t0 = performance.now();
  const id = await spec.runtime(owner);
  await waitFor('Running', () => spec.reached(id, 'Running'), {
    timeoutMs: 120_000,
    intervalMs: 25,
  });
  const total = performance.now() - t0;
  const { created, spawned, running } = await spec.startTimeline(id);
  await spec.setDesired(id, 'deleted', 'wipe');
  await waitFor('Deleted', () => spec.reached(id, 'Deleted'), { timeoutMs: 60_000 });
  return { total, toSpawned: spawned - created, spawnedToRunning: running - spawned };
}

/** `openclaw gateway run` exactly as upstream documents it, with a fresh state dir. */
async function bareStart(pkg: string, port: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'clawloops-bare-'));
  const state = join(dir, 'state');
  mkdirSync(state, { recursive: true });
  writeFileSync(
    join(state, 'openclaw.json'),
    JSON.stringify({ gateway: { mode: 'local', port, bind: 'loopback', auth: { mode: 'token' } } }),
  );
  const t0 = performance.now();
  const child: ChildProcess = spawn(
    process.execPath,
    [join(pkg, 'openclaw.mjs'), 'gateway', 'run', '--port', String(port)],
    {
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        OPENCLAW_STATE_DIR: state,
        OPENCLAW_CONFIG_PATH: join(state, 'openclaw.json'),
        OPENCLAW_GATEWAY_TOKEN: 'bench-token-0123456789',
      },
      stdio: 'ignore',
    },
  );
  try {
    await waitFor(
      'bare /startupz',
      async () => {
        const res = await fetch(`http://127.0.0.1:${port}/startupz`).catch(() => null);
        return res?.ok && ((await res.json().catch(() => ({}))) as { ok?: boolean }).ok === true;
      },
      { timeoutMs: 120_000, intervalMs: 25 },
    );
    return performance.now() - t0;
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}
