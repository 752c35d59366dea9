import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RuntimeDriver } from '../../../orchestrator/src/drivers/driver.ts';
import { createKubernetesDriver } from '../../../orchestrator/src/drivers/kubernetes/kubernetes-driver.ts';
import { LABELS, runtimeObjectName } from '../../../orchestrator/src/names.ts';
import { createTestDatabase } from '../../testkit/database.ts';
import { type KubeBackend, kubeBackends, startKubeBackend } from '../../testkit/kube-backend.ts';
import { startTestOrchestrator, type TestOrchestrator } from '../../testkit/orchestrator.ts';
import { spawnOrchestrator } from '../../testkit/orchestrator-process.ts';
import { SpecWriter } from '../../testkit/spec-writer.ts';
import { waitFor } from '../../testkit/wait.ts';

const NS = 'clawloops-runtimes';

/**
 * The orchestrator driving the real @kubernetes/client-node, on both backends
 * (test/testkit/kube-backend.ts): the API-server simulator and a real kube-apiserver 1.20 with the
 * least-privilege Role. Asserts final cluster state and runtime status, not call sequences.
 */
for (const { kind, skip } of kubeBackends()) {
  describe.skipIf(skip !== undefined)(
    `orchestrator + Kubernetes driver on ${kind === 'sim' ? 'the API-server simulator' : 'a real kube-apiserver 1.20'}${skip ? ` — skipped: ${skip}` : ''}`,
    () => {
      let backend: KubeBackend;
      let url: string;
      let spec: SpecWriter;
      const running: TestOrchestrator[] = [];

      const newDriver = (): RuntimeDriver =>
        createKubernetesDriver({
          kubeConfig: backend.kubeConfig(NS),
          namespace: NS,
          baseDomain: 'example.test',
        });
      const pods = (runtimeId: string) =>
        backend.list('v1', 'Pod', {
          namespace: NS,
          labelSelector: `${LABELS.runtimeId}=${runtimeId}`,
        });
      const claims = () => backend.list('v1', 'PersistentVolumeClaim', { namespace: NS });
      async function orchestrator(): Promise<TestOrchestrator> {
        const o = await startTestOrchestrator(url, newDriver(), {
          controller: { resyncMs: 1_000 },
        });
        running.push(o);
        return o;
      }

      beforeAll(async () => {
        backend = await startKubeBackend(kind, [NS]);
        url = await createTestDatabase();
        spec = new SpecWriter(url);
      });

      afterAll(async () => {
        for (const o of running) await o.stop().catch(() => {});
        await spec?.close();
        await backend?.stop();
      });

      it('starts, stops and deletes a runtime; objects carry labels and owner references', async () => {
        const orch = await orchestrator();
        const owner = await spec.user('carol');
        const id = await spec.runtime(owner);
        await waitFor('Running', () => spec.reached(id, 'Running'));
        const name = runtimeObjectName(id);
        const [pod] = await pods(id);
        expect(pod?.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('clawloops');
        expect(pod?.metadata.ownerReferences?.[0]).toMatchObject({
          kind: 'ConfigMap',
          controller: true,
        });
        for (const kind of ['Service', 'Secret', 'ConfigMap'])
          expect(await backend.get('v1', kind, NS, name), kind).toBeDefined();
        expect((await spec.events(id)).at(-1)).toMatchObject({ type: 'Ready', progress: 100 });

        await spec.setDesired(id, 'stopped');
        await waitFor('Stopped', () => spec.reached(id, 'Stopped'));
        expect(await pods(id)).toHaveLength(0);
        expect(await claims()).toHaveLength(1);

        await spec.setDesired(id, 'deleted', 'wipe');
        await waitFor('Deleted', () => spec.reached(id, 'Deleted'));
        await waitFor(
          'objects garbage-collected',
          async () => (await backend.get('v1', 'Service', NS, name)) === undefined,
        );
        await waitFor('claim deleted', async () => (await claims()).length === 0);
        await orch.stop();
        running.pop();
      });

      it('crash loop ⇒ backoff ⇒ Failed with reason ⇒ recovers once fixed', async () => {
        await orchestrator();
        const owner = await spec.user('dave');
        const fault = backend.faults.crashLoop({ labelSelector: `${LABELS.ownerId}=${owner}` });
        const id = await spec.runtime(owner);
        await waitFor('Failed', () => spec.reached(id, 'Failed'), { timeoutMs: 20_000 });
        const status = await spec.status(id);
        expect(status.lastError).toMatch(/crash/i);
        const failed = (await spec.events(id)).find((e) => e.type === 'Failed');
        expect(failed?.progress).toBe(100);
        await waitFor('pod removed while Failed', async () => (await pods(id)).length === 0);

        fault.remove();
        await waitFor('Running after the fix', () => spec.reached(id, 'Running'), {
          timeoutMs: 20_000,
        });
        await running.pop()?.stop();
      });

      it('an orchestrator stopped mid-reconcile is replaced and everything converges without duplicates', async () => {
        const first = await orchestrator();
        const owners = await Promise.all(
          ['erin', 'frank', 'grace', 'heidi'].map((u) => spec.user(u)),
        );
        const ids = await Promise.all(owners.map((o) => spec.runtime(o)));
        await waitFor(
          'some progress',
          async () => (await spec.events(ids[0] as string)).length > 1,
        );
        await first.stop(); // graceful: leadership released mid-flight (the SIGKILL case follows)
        running.splice(running.indexOf(first), 1);
        const t0 = Date.now();
        const second = await orchestrator();
        await waitFor('second is leader', () => second.orchestrator.isLeader, {
          timeoutMs: 15_000,
        });
        expect(Date.now() - t0).toBeLessThan(15_000);
        for (const id of ids) await waitFor(`Running ${id}`, () => spec.reached(id, 'Running'));
        for (const id of ids) expect(await pods(id)).toHaveLength(1);
      });

      it('SIGKILL of the orchestrator process mid-reconcile: a new process converges, no duplicates', async () => {
        for (const o of running.splice(0)) await o.stop();
        const dir = mkdtempSync(join(tmpdir(), 'clawloops-orch-'));
        const first = spawnOrchestrator({
          databaseUrl: url,
          dir,
          kubeConfig: backend.kubeConfig(NS),
        });
        const owners = await Promise.all(
          ['judy', 'mallory', 'niaj', 'olivia', 'peggy'].map((u) => spec.user(u)),
        );
        const ids = await Promise.all(owners.map((o) => spec.runtime(o)));
        await waitFor(
          'first pod created',
          async () => (await Promise.all(ids.map(pods))).some((p) => p.length > 0),
          {
            timeoutMs: 20_000,
            intervalMs: 20,
          },
        );
        first.kill('SIGKILL');
        const killedAt = Date.now();
        const second = spawnOrchestrator({
          databaseUrl: url,
          dir,
          kubeConfig: backend.kubeConfig(NS),
        });
        try {
          for (const id of ids)
            await waitFor(`Running ${id}`, () => spec.reached(id, 'Running'), {
              timeoutMs: 30_000,
            });
          expect(Date.now() - killedAt).toBeLessThan(15_000);
          for (const id of ids) expect(await pods(id)).toHaveLength(1);
        } finally {
          second.kill('SIGTERM');
          await new Promise((r) => second.once('exit', r));
          rmSync(dir, { recursive: true, force: true });
        }
        running.push(await orchestrator());
      }, 60_000);

      it('two replicas: only one leads; the standby takes over when the leader dies', async () => {
        const a = running[0] as TestOrchestrator;
        const b = await orchestrator();
        await new Promise((r) => setTimeout(r, 1_000));
        expect([a.orchestrator.isLeader, b.orchestrator.isLeader].filter(Boolean)).toHaveLength(1);
        await a.stop();
        running.splice(running.indexOf(a), 1);
        await waitFor('standby elected', () => b.orchestrator.isLeader, { timeoutMs: 15_000 });
        const owner = await spec.user('ivan');
        const id = await spec.runtime(owner);
        await waitFor('Running under the new leader', () => spec.reached(id, 'Running'));
      });
    },
  );
}
