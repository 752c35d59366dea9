import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_OPENCLAW_VERSION, DEFAULT_PROFILE } from '../../../../schema/domain/profiles.ts';
import type { ObservedRuntime, RuntimeDriver, RuntimeTarget } from '../driver.ts';
import { createLocalDriver, type LocalDriverOptions } from './local-driver.ts';
import { ownerPaths, runtimePaths } from './paths.ts';
import { isProcessAlive, killGroupRemnants } from './proc.ts';
import { readRecord } from './record.ts';

/**
 * One real OpenClaw gateway through the whole lifecycle. The first run on a machine installs
 * OpenClaw into the shared cache (~20–30 s); later runs reuse it.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'clawloops-local-driver-'));
const options: LocalDriverOptions = {
  dataDir,
  // A random slice of the pool range, away from the default, so parallel runs rarely meet.
  portBase: 24000 + Math.floor(Math.random() * 200) * 20,
  portCount: 4,
  stopTimeoutMs: 10_000,
  startTimeoutMs: 90_000,
};
const drivers: RuntimeDriver[] = [];
const pids = new Set<number>();

const target: RuntimeTarget = {
  runtimeId: 'rt-int-1',
  ownerId: 'owner-int-1',
  ownerUsername: 'alice',
  hostLabel: 'u-alice',
  publicOrigin: 'http://u-alice.localhost:8080',
  generation: 1,
  profile: DEFAULT_PROFILE,
  openclawVersion: DEFAULT_OPENCLAW_VERSION,
  templateHash: 'hash-1',
  gatewayPassword: 'int-test-gateway-password',
  model: {
    baseUrl: 'http://127.0.0.1:9/v1',
    apiKey: 'sk-int-test-model-key',
    models: [{ id: 'fake-model', name: 'Fake Model' }],
    primary: 'fake-model',
  },
};

async function newDriver(changes: string[] = []): Promise<RuntimeDriver> {
  const driver = createLocalDriver(options);
  drivers.push(driver);
  await driver.start((id) => changes.push(id));
  return driver;
}

async function waitFor(
  driver: RuntimeDriver,
  runtimeId: string,
  done: (o: ObservedRuntime) => boolean,
  timeoutMs: number,
): Promise<ObservedRuntime> {
  const deadline = Date.now() + timeoutMs;
  let last = await driver.observe(runtimeId);
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`timed out; last observed: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    last = await driver.observe(runtimeId);
  }
  return last;
}

function recordedProcess(runtimeId: string) {
  const proc = readRecord(runtimePaths(dataDir, runtimeId).record)?.process;
  if (proc) pids.add(proc.pid);
  return proc;
}

const isReady = (o: ObservedRuntime) => o.state === 'ready';

afterAll(async () => {
  for (const driver of drivers) await driver.stop();
  for (const pid of pids) killGroupRemnants(pid);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('local driver with a real OpenClaw gateway', () => {
  it('runs, stops, restarts, is adopted after an orchestrator restart, recovers a crash, and is wiped', async () => {
    const changes: string[] = [];
    const first = await newDriver(changes);
    await first.ensureRunning(target);
    expect(['preparing', 'starting']).toContain((await first.observe(target.runtimeId)).state);
    const ready = await waitFor(first, target.runtimeId, isReady, 150_000);
    expect(ready).toMatchObject({ templateHash: 'hash-1', restarts: 0, reason: 'Ready' });
    expect(changes).toContain(target.runtimeId);
    const endpoint = ready.endpoint ?? '';
    const started = await (await fetch(`${endpoint}/startupz`)).json();
    expect(started).toMatchObject({ ok: true, version: DEFAULT_OPENCLAW_VERSION });

    // Trusted-proxy auth: the owner through the entrance yes, anyone else no.
    const proxied = { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'http' };
    const uiConfig = (headers: Record<string, string>) =>
      fetch(`${endpoint}/control-ui-config.json`, { headers }).then((r) => r.status);
    expect(await uiConfig({ ...proxied, 'x-clawloops-user': 'alice' })).toBe(200);
    expect(await uiConfig({ ...proxied, 'x-clawloops-user': 'mallory' })).toBe(401);
    expect(await uiConfig({})).toBe(401);

    // Secrets reach the gateway only through its environment.
    const owner = ownerPaths(dataDir, target.ownerId);
    const configText = readFileSync(owner.config, 'utf8');
    expect(configText).not.toContain(target.gatewayPassword);
    expect(configText).not.toContain(target.model?.apiKey);

    const proc1 = recordedProcess(target.runtimeId);
    expect(proc1 && isProcessAlive(proc1.pid, proc1.startTime)).toBe(true);
    mkdirSync(owner.workspace, { recursive: true });
    writeFileSync(join(owner.workspace, 'note.txt'), 'keep me');

    await first.ensureRunning(target); // same templateHash: no-op
    expect(recordedProcess(target.runtimeId)?.pid).toBe(proc1?.pid);

    await first.ensureStopped(target.runtimeId);
    expect(await first.observe(target.runtimeId)).toMatchObject({ state: 'absent' });
    expect(isProcessAlive(proc1?.pid ?? 0, proc1?.startTime)).toBe(false);
    expect(await first.listKnown()).toEqual([target.runtimeId]);

    await first.ensureRunning(target);
    await waitFor(first, target.runtimeId, isReady, 90_000);
    expect(readFileSync(join(owner.workspace, 'note.txt'), 'utf8')).toBe('keep me');
    const proc2 = recordedProcess(target.runtimeId);
    expect(proc2?.pid).not.toBe(proc1?.pid);

    // Orchestrator restart: the old driver lets go, a new one adopts the same process.
    await first.stop();
    expect(isProcessAlive(proc2?.pid ?? 0, proc2?.startTime)).toBe(true);
    const second = await newDriver();
    const adopted = await waitFor(second, target.runtimeId, isReady, 30_000);
    expect(adopted).toMatchObject({ templateHash: 'hash-1', endpoint });
    await second.ensureRunning(target); // hands over the target (secrets) for restarts
    expect(recordedProcess(target.runtimeId)?.pid).toBe(proc2?.pid);

    // A crash of the adopted process: reported, then restarted by the driver itself.
    process.kill(-(proc2?.pid ?? 0), 'SIGKILL');
    const crashed = await waitFor(second, target.runtimeId, (o) => o.restarts === 1, 15_000);
    expect(['crashed', 'starting', 'ready']).toContain(crashed.state);
    await waitFor(second, target.runtimeId, isReady, 90_000);
    const proc3 = recordedProcess(target.runtimeId);
    expect(proc3?.pid).not.toBe(proc2?.pid);

    await second.ensureDeleted(target.runtimeId, target.ownerId, 'wipe');
    expect(await second.observe(target.runtimeId)).toMatchObject({ state: 'absent' });
    expect(isProcessAlive(proc3?.pid ?? 0, proc3?.startTime)).toBe(false);
    expect(existsSync(owner.root)).toBe(false);
    expect(await second.listKnown()).toEqual([]);
  }, 400_000);

  it('reports a configuration the gateway rejects (exit 78) as failed/ConfigRejected without restarting', async () => {
    const driver = await newDriver();
    // An empty identity is invalid in OpenClaw's schema (identityScopes keys must be non-empty).
    const rejected: RuntimeTarget = {
      ...target,
      runtimeId: 'rt-int-78',
      ownerId: 'owner-int-78',
      ownerUsername: '',
    };
    await driver.ensureRunning(rejected);
    const failed = await waitFor(driver, rejected.runtimeId, (o) => o.state === 'failed', 90_000);
    recordedProcess(rejected.runtimeId);
    expect(failed).toMatchObject({ reason: 'ConfigRejected', restarts: 0 });
    expect(failed.message).toMatch(/Invalid config.*identityScopes/);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await driver.observe(rejected.runtimeId)).toMatchObject({
      state: 'failed',
      restarts: 0,
    });
    await driver.ensureDeleted(rejected.runtimeId, rejected.ownerId, 'wipe');
  }, 120_000);
});
