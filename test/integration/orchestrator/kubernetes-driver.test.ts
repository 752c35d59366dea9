import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ObservedRuntime,
  RuntimeDriver,
  RuntimeTarget,
} from '../../../orchestrator/src/drivers/driver.ts';
import { createKubernetesDriver } from '../../../orchestrator/src/drivers/kubernetes/kubernetes-driver.ts';
import { sampleTarget } from '../../../orchestrator/src/drivers/kubernetes/render/fixture.ts';
import { GATEWAY_PORT } from '../../../orchestrator/src/drivers/kubernetes/render/meta.ts';
import { runtimeObjectName, workspaceClaimName } from '../../../orchestrator/src/names.ts';
import { orchestratorRoleRules } from '../../kube-apiserver/manifests.ts';
import {
  type KubeBackend,
  type KubeBackendKind,
  kubeBackends,
  startKubeBackend,
} from '../../testkit/kube-backend.ts';

/**
 * The driver through the unmodified client-node, on both backends (test/testkit/kube-backend.ts):
 * the API-server simulator, and the real kube-apiserver 1.20 with the orchestrator's least-privilege
 * Role from deploy/k8s. Asserts final cluster state and observations, not call sequences.
 */

const NS = 'clawloops-runtimes';
const MANAGER = 'clawloops-orchestrator';
/**
 * What the orchestrator's namespaced Role grants: deploy/k8s/base/orchestrator-rbac.yaml is the
 * single source. The simulator's request log must need exactly it; the real apiserver enforces it.
 */
const EXPECTED_RULES = orchestratorRoleRules();

const TITLES: Record<KubeBackendKind, string> = {
  sim: 'the API-server simulator',
  apiserver: 'a real kube-apiserver 1.20 (least-privilege Role)',
};

for (const { kind, skip } of kubeBackends()) {
  describe.skipIf(skip !== undefined)(
    `Kubernetes driver against ${TITLES[kind]}${skip ? ` — skipped: ${skip}` : ''}`,
    () => {
      let backend: KubeBackend;
      let driver: RuntimeDriver;
      const changed = new Set<string>();
      const warnings: string[] = [];
      const logger = {
        debug() {},
        info() {},
        warn: (_obj: object, msg?: string) => void warnings.push(msg ?? ''),
        error: (_obj: object, msg?: string) => void warnings.push(msg ?? ''),
      };

      const target = (n: number, overrides: Partial<RuntimeTarget> = {}): RuntimeTarget =>
        sampleTarget({
          runtimeId: `00000000-0000-4000-8000-00000000000${n}`,
          ownerId: `aaaaaaaa-0000-4000-8000-00000000000${n}`,
          ...overrides,
        });

      async function eventually<T>(fn: () => Promise<T | undefined> | T | undefined, what: string) {
        const deadline = Date.now() + backend.timeoutMs;
        let last: unknown;
        while (Date.now() < deadline) {
          try {
            const value = await fn();
            if (value) return value;
          } catch (err) {
            last = err;
          }
          await new Promise((r) => setTimeout(r, 20));
        }
        throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
      }

      /** What the controller does: apply until the workload it wants is observed ready. */
      function converge(t: RuntimeTarget): Promise<ObservedRuntime> {
        return eventually(async () => {
          await driver.ensureRunning(t);
          const o = await driver.observe(t.runtimeId);
          return o.state === 'ready' && o.templateHash === t.templateHash ? o : undefined;
        }, `runtime ${t.runtimeId} ready with ${t.templateHash}`);
      }

      const get = (apiVersion: string, kind: string, name: string) =>
        backend.get(apiVersion, kind, NS, name);

      beforeAll(async () => {
        backend = await startKubeBackend(kind, [NS]);
        driver = createKubernetesDriver({
          kubeConfig: backend.kubeConfig(NS),
          baseDomain: 'example.com',
          trustedProxies: ['10.42.0.0/16'],
          logger,
        });
        await driver.start((id) => changed.add(id));
      });

      afterAll(async () => {
        await driver?.stop();
        await backend?.stop();
      });

      it('starts even when its first lists fail (supervised informers retry with backoff)', async () => {
        const watchesBefore = backend.openWatches();
        const failing = backend.faults.failRequests({
          verb: 'list',
          resource: 'configmaps',
          times: 2,
        });
        const second = createKubernetesDriver({
          kubeConfig: backend.kubeConfig(NS),
          baseDomain: 'example.com',
          logger,
        });
        await second.start(() => {});
        expect(failing.hits).toBe(2);
        expect(await second.listKnown()).toEqual(await driver.listKnown());
        await eventually(
          // One watch per kind the driver applies (drift repair watches them all).
          () => backend.openWatches() === watchesBefore + 7,
          'the second driver’s seven watches open',
        );
        await second.stop();
        await eventually(
          () => backend.openWatches() === watchesBefore,
          'the second driver’s watches closed',
        );
        warnings.length = 0;
      });

      it('creates the labelled, owned object set and reports ready once the kubelet is', async () => {
        const t = target(1);
        const observed = await converge(t);
        const name = runtimeObjectName(t.runtimeId);
        expect(observed).toMatchObject({
          state: 'ready',
          restarts: 0,
          endpoint: `http://${name}.${NS}.svc:18789`,
        });
        expect(changed.has(t.runtimeId)).toBe(true);

        const anchor = await get('v1', 'ConfigMap', name);
        expect(anchor?.metadata.ownerReferences).toBeUndefined();
        const dependents = [
          ['v1', 'Secret'],
          ['v1', 'Service'],
          ['v1', 'Pod'],
          ['networking.k8s.io/v1', 'NetworkPolicy'],
          ['traefik.io/v1alpha1', 'IngressRoute'],
        ] as const;
        for (const [apiVersion, kind] of [['v1', 'ConfigMap'] as const, ...dependents]) {
          const obj = await get(apiVersion, kind, name);
          expect(obj, kind).toBeDefined();
          expect(obj?.metadata.labels).toMatchObject({
            'app.kubernetes.io/managed-by': 'clawloops',
            'clawloops.io/runtime-id': t.runtimeId,
            'clawloops.io/owner-id': t.ownerId,
          });
          expect(obj?.metadata.managedFields?.map((f) => [f.manager, f.operation])).toContainEqual([
            MANAGER,
            'Apply',
          ]);
        }
        for (const [apiVersion, kind] of dependents) {
          expect((await get(apiVersion, kind, name))?.metadata.ownerReferences, kind).toEqual([
            {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              name,
              uid: anchor?.metadata.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ]);
        }
        const claim = await get('v1', 'PersistentVolumeClaim', workspaceClaimName(t.ownerId));
        expect(claim?.metadata.ownerReferences).toBeUndefined();
        expect(claim?.metadata.labels?.['clawloops.io/owner-id']).toBe(t.ownerId);
        expect(await driver.listKnown()).toContain(t.runtimeId);
      });

      it('replaces the pod when the template hash changes', async () => {
        const t = target(1);
        const name = runtimeObjectName(t.runtimeId);
        const before = (await get('v1', 'Pod', name))?.metadata.uid;
        const observed = await converge({ ...t, templateHash: 'tmpl-2' });
        expect(observed.templateHash).toBe('tmpl-2');
        const pod = await get('v1', 'Pod', name);
        expect(pod?.metadata.uid).not.toBe(before);
        expect(pod?.metadata.annotations?.['clawloops.io/template-hash']).toBe('tmpl-2');
      });

      // Found by the contract tier: Service ports are an associative list keyed by (port, protocol).
      // A forced apply keeps the hand-added 9999 item (owned by kubectl-edit) beside ours, both named
      // "http": 422 Duplicate value (the simulator used to treat the list as atomic and "repair").
      // The driver replaces the list with a merge patch and applies again (list-repair.ts).
      const editPorts = async (name: string, ports: k8s.V1ServicePort[]) => {
        // A human's edit: cluster admin, not the orchestrator's identity.
        const core = backend.adminKubeConfig(NS).makeApiClient(k8s.CoreV1Api);
        await core.patchNamespacedService(
          { name, namespace: NS, body: { spec: { ports } }, fieldManager: 'kubectl-edit' },
          k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
        );
      };
      const portsOf = async (name: string) =>
        ((await get('v1', 'Service', name))?.spec as k8s.V1ServiceSpec | undefined)?.ports ?? [];

      it('puts back a hand-edited Service (server-side apply, force)', async () => {
        const t = target(1, { templateHash: 'tmpl-2' });
        const name = runtimeObjectName(t.runtimeId);
        await editPorts(name, [{ name: 'http', port: 9999, targetPort: 9999, protocol: 'TCP' }]);
        expect((await portsOf(name)).map((p) => p.port)).toEqual([9999]);
        await driver.ensureRunning(t);
        expect(await portsOf(name)).toEqual([
          { name: 'http', port: GATEWAY_PORT, targetPort: GATEWAY_PORT, protocol: 'TCP' },
        ]);
        const owners = (await get('v1', 'Service', name))?.metadata.managedFields ?? [];
        expect(owners.map((f) => [f.manager, f.operation])).toContainEqual([MANAGER, 'Apply']);
        expect(owners.map((f) => f.manager)).not.toContain('kubectl-edit');
      });

      it('removes a port a human added beside ours (apply alone keeps it)', async () => {
        const t = target(1, { templateHash: 'tmpl-2' });
        const name = runtimeObjectName(t.runtimeId);
        const ours = {
          name: 'http',
          port: GATEWAY_PORT,
          targetPort: GATEWAY_PORT,
          protocol: 'TCP',
        };
        await editPorts(name, [
          ours,
          { name: 'debug', port: 9229, targetPort: 9229, protocol: 'TCP' },
        ]);
        await eventually(
          async () => (await driver.observe(t.runtimeId)).drift?.startsWith('Service'),
          'the extra port reported as drift',
        );
        await driver.ensureRunning(t);
        expect(await portsOf(name)).toEqual([ours]);
        await eventually(
          async () => (await driver.observe(t.runtimeId)).drift === undefined,
          'no drift once repaired',
        );
      });

      it('stops by deleting the pod only: the anchor and the workspace stay', async () => {
        const t = target(1, { templateHash: 'tmpl-2' });
        const name = runtimeObjectName(t.runtimeId);
        await driver.ensureStopped(t.runtimeId);
        await eventually(
          async () => (await driver.observe(t.runtimeId)).state === 'absent',
          'pod gone from the cache',
        );
        expect(await get('v1', 'Pod', name)).toBeUndefined();
        expect(await get('v1', 'ConfigMap', name)).toBeDefined();
        expect(await get('v1', 'Service', name)).toBeDefined();
        expect(
          await get('v1', 'PersistentVolumeClaim', workspaceClaimName(t.ownerId)),
        ).toBeDefined();
        expect(await driver.listKnown()).toContain(t.runtimeId);
      });

      it('reports image pull errors and crash loops', async () => {
        const t = target(2);
        const selector = `clawloops.io/runtime-id=${t.runtimeId}`;
        const pull = backend.faults.imagePullError({ namespace: NS, labelSelector: selector });
        await driver.ensureRunning(t);
        await eventually(async () => {
          const o = await driver.observe(t.runtimeId);
          return o.state === 'failed' && /ImagePull/.test(o.reason ?? '');
        }, 'image pull failure');
        pull.remove();
        await driver.ensureDeleted(t.runtimeId, t.ownerId, 'wipe');
        await eventually(async () => !(await driver.listKnown()).includes(t.runtimeId), 'teardown');

        const crash = backend.faults.crashLoop({ namespace: NS, labelSelector: selector });
        // The wiped claim may still be terminating (the real controller-manager lifts its protection
        // finalizer on its own schedule): the driver then says "retry later", and retrying is what
        // the controller does.
        await eventually(async () => {
          await driver.ensureRunning(t);
          return true;
        }, 'start after the wipe');
        const crashed = await eventually(async () => {
          const o = await driver.observe(t.runtimeId);
          return o.state === 'crashed' && o.restarts > 0 ? o : undefined;
        }, 'crash loop');
        expect(crashed.reason).toMatch(/CrashLoopBackOff|Error/);
        crash.remove();
        await driver.ensureDeleted(t.runtimeId, t.ownerId, 'wipe');
      });

      it('reports OOM kills', async () => {
        const t = target(5);
        const selector = `clawloops.io/runtime-id=${t.runtimeId}`;
        const oom = backend.faults.oomKill({ namespace: NS, labelSelector: selector });
        await driver.ensureRunning(t);
        const crashed = await eventually(async () => {
          const o = await driver.observe(t.runtimeId);
          return o.state === 'crashed' && o.reason === 'OOMKilled' && o.restarts > 0
            ? o
            : undefined;
        }, 'OOM kill observed');
        expect(crashed.message).toMatch(/OOMKilled \(code 137\)/);
        oom.remove();
        await driver.ensureDeleted(t.runtimeId, t.ownerId, 'wipe');
      });

      it('turns node loss into an explicit, observable replacement', async () => {
        const t = target(4);
        await converge(t);
        const name = runtimeObjectName(t.runtimeId);
        const pod = await get('v1', 'Pod', name);
        const node = (pod?.spec as k8s.V1PodSpec | undefined)?.nodeName ?? '';
        await backend.faults.loseNode(node);
        await eventually(async () => {
          const o = await driver.observe(t.runtimeId);
          return o.state === 'crashed' && o.reason === 'NodeLost';
        }, 'node loss observed');
        // Evicted pods stay Terminating while their kubelet is gone: no second pod may start meanwhile.
        await eventually(
          async () => (await driver.observe(t.runtimeId)).state === 'terminating',
          'eviction observed',
        );
        await driver.ensureRunning(t);
        expect((await get('v1', 'Pod', name))?.metadata.uid).toBe(pod?.metadata.uid);
        await backend.faults.restoreNode(node);
        await converge(t);
        expect((await get('v1', 'Pod', name))?.metadata.uid).not.toBe(pod?.metadata.uid);
        await driver.ensureDeleted(t.runtimeId, t.ownerId, 'wipe');
      });

      it('keeps observing after dropped, failing and expired watches', async () => {
        const t = target(3);
        await converge(t);
        const failing = backend.faults.failRequests({ verb: 'watch', resource: 'pods', times: 2 });
        expect(backend.faults.dropWatches()).toBeGreaterThan(0);
        await driver.ensureStopped(t.runtimeId);
        await eventually(
          async () => (await driver.observe(t.runtimeId)).state === 'absent',
          'pod deletion seen after the watch was dropped and failed twice',
        );
        expect(failing.hits).toBe(2);
        // client-node stops an informer on a 500; only our supervisor brings it back.
        expect(warnings.filter((w) => w.includes('informer failed'))).toHaveLength(2);
        await backend.faults.expireHistory();
        backend.faults.expireWatches();
        await converge(t);
      });

      it('deletes with preserve: everything but the workspace goes', async () => {
        const t = target(3);
        await driver.ensureDeleted(t.runtimeId, t.ownerId, 'preserve');
        await eventually(async () => !(await driver.listKnown()).includes(t.runtimeId), 'unlisted');
        const name = runtimeObjectName(t.runtimeId);
        for (const kind of ['ConfigMap', 'Secret', 'Service', 'Pod']) {
          expect(await get('v1', kind, name), kind).toBeUndefined();
        }
        expect(await get('networking.k8s.io/v1', 'NetworkPolicy', name)).toBeUndefined();
        expect(await get('traefik.io/v1alpha1', 'IngressRoute', name)).toBeUndefined();
        expect(
          await get('v1', 'PersistentVolumeClaim', workspaceClaimName(t.ownerId)),
        ).toBeDefined();
        expect(await driver.observe(t.runtimeId)).toEqual({ state: 'absent', restarts: 0 });
      });

      it('deletes with wipe: the workspace goes too', async () => {
        const t = target(1);
        await driver.ensureDeleted(t.runtimeId, t.ownerId, 'wipe');
        await eventually(
          async () => !(await get('v1', 'PersistentVolumeClaim', workspaceClaimName(t.ownerId))),
          'workspace claim deleted',
        );
        await eventually(async () => !(await driver.listKnown()).includes(t.runtimeId), 'unlisted');
      });

      it('writes by server-side apply as one field manager, within a small Role', async () => {
        // Last on purpose: the log now holds everything the driver did in this file.
        const writes = backend.requestLog.entries.filter(
          (e) => !['GET', 'DELETE'].includes(e.method) && e.fieldManager !== 'kubectl-edit',
        );
        expect(writes.length).toBeGreaterThan(0);
        const applies = writes.filter((w) => w.contentType === 'application/apply-patch+yaml');
        for (const w of applies) {
          expect([w.method, w.fieldManager, w.query.force]).toEqual(['PATCH', MANAGER, 'true']);
        }
        // Besides: the two list repairs of the hand-edited Service tests (list-repair.ts).
        const repairs = writes.filter((w) => !applies.includes(w));
        expect(repairs.map((w) => [w.method, w.contentType, w.fieldManager, w.resource])).toEqual([
          ['PATCH', 'application/merge-patch+json', MANAGER, 'services'],
          ['PATCH', 'application/merge-patch+json', MANAGER, 'services'],
        ]);
        expect(backend.requestLog.rbacRules()).toEqual(EXPECTED_RULES);
      });
    },
  );
}
