import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RuntimeDriver } from '../../../orchestrator/src/drivers/driver.ts';
import { createLocalDriver } from '../../../orchestrator/src/drivers/local/local-driver.ts';
import { ownerPaths } from '../../../orchestrator/src/drivers/local/paths.ts';
import { createTestDatabase } from '../../testkit/database.ts';
import { startTestOrchestrator, type TestOrchestrator } from '../../testkit/orchestrator.ts';
import { SpecWriter } from '../../testkit/spec-writer.ts';
import { waitFor } from '../../testkit/wait.ts';

/**
 * The first end-to-end path of the orchestration layer with a REAL OpenClaw gateway: spec rows in
 * PostgreSQL ⇒ leader orchestrator ⇒ local driver ⇒ `openclaw gateway` child process ⇒ status and
 * events back in PostgreSQL.
 */
describe('orchestrator + local driver + real OpenClaw', () => {
  let dataDir: string;
  let spec: SpecWriter;
  let driver: RuntimeDriver;
  let orch: TestOrchestrator;
  let ownerId: string;
  let runtimeId: string;

  beforeAll(async () => {
    const url = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'clawloops-local-'));
    spec = new SpecWriter(url);
    driver = createLocalDriver({ dataDir, portBase: 21_000, stopTimeoutMs: 8_000 });
    orch = await startTestOrchestrator(url, driver);
    ownerId = await spec.user('alice');
  });

  afterAll(async () => {
    await orch?.stop();
    // Never leave a gateway behind, whatever failed above.
    for (const id of (await driver?.listKnown()) ?? [])
      await driver.ensureDeleted(id, ownerId, 'wipe').catch(() => {});
    await spec?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts a runtime to Running with ordered progress ending in Ready', async () => {
    runtimeId = await spec.runtime(ownerId);
    await waitFor('Running', () => spec.reached(runtimeId, 'Running'), {
      timeoutMs: 150_000,
      intervalMs: 250,
    });
    const status = await spec.status(runtimeId);
    expect(status.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${status.endpoint}/startupz`);
    expect((await res.json()).ok).toBe(true);

    const events = await spec.events(runtimeId);
    expect(events.at(-1)).toMatchObject({ type: 'Ready', phase: 'Running', progress: 100 });
    const progress = events.map((e) => e.progress).filter((p): p is number => p !== null);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  }, 180_000);

  it('stops, and a restart finds the workspace files again', async () => {
    const workspace = ownerPaths(dataDir, ownerId).workspace;
    mkdirSync(workspace, { recursive: true }); // OpenClaw creates it lazily, on the first agent turn
    const marker = join(workspace, 'kept.txt');
    writeFileSync(marker, 'still here');
    const before = await spec.status(runtimeId);

    await spec.setDesired(runtimeId, 'stopped');
    await waitFor('Stopped', () => spec.reached(runtimeId, 'Stopped'), { timeoutMs: 30_000 });
    await expect(fetch(`${before.endpoint}/startupz`)).rejects.toThrow();

    await spec.setDesired(runtimeId, 'running');
    await waitFor('Running again', () => spec.reached(runtimeId, 'Running'), {
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    expect(existsSync(marker)).toBe(true);
  }, 120_000);

  it('deletes with wipe: process and workspace gone, phase Deleted', async () => {
    await spec.setDesired(runtimeId, 'deleted', 'wipe');
    await waitFor('Deleted', () => spec.reached(runtimeId, 'Deleted'), { timeoutMs: 30_000 });
    expect(existsSync(ownerPaths(dataDir, ownerId).root)).toBe(false);
    expect(await driver.listKnown()).not.toContain(runtimeId);
    const events = await spec.events(runtimeId);
    expect(events.at(-1), JSON.stringify(events.slice(-4))).toMatchObject({
      type: 'Deleted',
      phase: 'Deleted',
    });
  }, 60_000);

  it('an unknown profile ends in Failed with a readable reason, and nothing crashes', async () => {
    const bob = await spec.user('bob');
    const id = await spec.runtime(bob, { profile: 'no-such-profile' });
    await waitFor('Failed', () => spec.reached(id, 'Failed'));
    expect((await spec.status(id)).lastError).toContain(
      'Unknown runtime profile "no-such-profile"',
    );
    expect(readdirSync(join(dataDir, 'runtimes')).includes(id)).toBe(false);
  });
});
