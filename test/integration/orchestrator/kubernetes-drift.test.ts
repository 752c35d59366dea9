import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubernetesDriver } from '../../../orchestrator/src/drivers/kubernetes/kubernetes-driver.ts';
import { runtimeObjectName, workspaceClaimName } from '../../../orchestrator/src/names.ts';
import { type KubeSim, startKubeSim } from '../../kube-sim/sim.ts';
import { createTestDatabase } from '../../testkit/database.ts';
import { startTestOrchestrator, type TestOrchestrator } from '../../testkit/orchestrator.ts';
import { SpecWriter } from '../../testkit/spec-writer.ts';
import { waitFor } from '../../testkit/wait.ts';

/**
 * Drift repair on the API-server simulator: owned objects edited or deleted by hand are put back by
 * the orchestrator on its own (informer event → drift → re-apply) while the runtime stays Running
 * with no new event, and a converged runtime costs no write at all.
 */

const NS = 'clawloops-runtimes';
const HAND = { fieldManager: 'kubectl-edit' };
const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
type Spec = Record<string, unknown>;

describe('drift repair by the orchestrator (Kubernetes driver, API-server simulator)', () => {
  let sim: KubeSim;
  let spec: SpecWriter;
  let orch: TestOrchestrator;
  let id: string;
  let owner: string;
  let name: string;
  let url: string;
  const start = async () => {
    const driver = createKubernetesDriver({
      kubeConfig: sim.kubeConfig(NS),
      namespace: NS,
      baseDomain: 'example.test',
    });
    // No periodic resync: every reconcile below is caused by an informer event or by the test.
    orch = await startTestOrchestrator(url, driver, { controller: { resyncMs: 3_600_000 } });
    await waitFor('leader', () => orch.orchestrator.controller ?? undefined);
  };
  const get = (apiVersion: string, kind: string, n = name) => sim.get(apiVersion, kind, NS, n);
  const specOf = (apiVersion: string, kind: string, n = name) =>
    (get(apiVersion, kind, n)?.spec ?? {}) as Spec;
  const api = <T extends k8s.ApiType>(type: k8s.ApiConstructor<T>) =>
    sim.kubeConfig(NS).makeApiClient(type);

  /** `edit` by hand, then wait for `repaired`: the runtime must stay Running with no new event. */
  async function expectRepaired(edit: () => Promise<unknown>, repaired: () => boolean) {
    const events = (await spec.events(id)).length;
    await edit();
    expect(repaired(), 'the hand edit took effect').toBe(false);
    await waitFor('put back', () => repaired(), { timeoutMs: 5_000, intervalMs: 20 });
    expect(await spec.reached(id, 'Running')).toBe(true);
    expect(await spec.events(id)).toHaveLength(events);
  }

  /** Waits until the controller is idle and the simulator has seen no request for a while. */
  async function settle(): Promise<void> {
    let seen = -1;
    await waitFor(
      'quiet',
      () => {
        const quiet = seen === sim.requestLog.entries.length;
        seen = sim.requestLog.entries.length;
        return quiet && orch.orchestrator.controller?.stats.queueDepth === 0;
      },
      { intervalMs: 300 },
    );
  }

  /** Non-GET requests made by a full resync of every runtime. */
  async function resyncWrites(): Promise<number> {
    const controller = orch.orchestrator.controller;
    await settle();
    const before = controller?.stats.reconciles ?? 0;
    sim.requestLog.clear();
    await controller?.resync();
    await waitFor('resync reconciled', () => (controller?.stats.reconciles ?? 0) > before);
    await settle();
    return sim.requestLog.entries.filter((e) => e.method !== 'GET').length;
  }

  beforeAll(async () => {
    sim = await startKubeSim({ namespaces: ['default', 'kube-system', NS] });
    url = await createTestDatabase();
    spec = new SpecWriter(url);
    await start();
    owner = await spec.user('drifter');
    id = await spec.runtime(owner);
    name = runtimeObjectName(id);
    await waitFor('Running', () => spec.reached(id, 'Running'));
  });

  afterAll(async () => {
    await orch?.stop();
    await spec?.close();
    await sim?.stop();
  });

  it('a converged runtime costs no write on resync', async () => {
    expect(await resyncWrites()).toBe(0);
  });

  it('puts back a Service whose port was changed by hand', async () => {
    const ports = () => specOf('v1', 'Service').ports as { port: number }[];
    await expectRepaired(
      () =>
        api(k8s.CoreV1Api).patchNamespacedService(
          {
            name,
            namespace: NS,
            ...HAND,
            body: { spec: { ports: [{ port: 9999, protocol: 'TCP' }] } },
          },
          mergePatch,
        ),
      () => ports().length === 1 && ports()[0]?.port === 18789,
    );
  });

  it('narrows a NetworkPolicy whose ingress was widened by hand', async () => {
    const ingress = () => specOf('networking.k8s.io/v1', 'NetworkPolicy').ingress as Spec[];
    await expectRepaired(
      () =>
        api(k8s.NetworkingV1Api).patchNamespacedNetworkPolicy(
          { name, namespace: NS, ...HAND, body: { spec: { ingress: [{}] } } },
          mergePatch,
        ),
      () => ingress().length === 1 && Array.isArray(ingress()[0]?.from),
    );
  });

  it('restores Secret data changed by hand', async () => {
    const data = () => get('v1', 'Secret')?.data as Record<string, string>;
    const original = data().OPENCLAW_GATEWAY_PASSWORD;
    await expectRepaired(
      () =>
        api(k8s.CoreV1Api).patchNamespacedSecret(
          {
            name,
            namespace: NS,
            ...HAND,
            body: { data: { OPENCLAW_GATEWAY_PASSWORD: 'aGFja2Vk' } },
          },
          mergePatch,
        ),
      () => data().OPENCLAW_GATEWAY_PASSWORD === original,
    );
  });

  it('puts back the forwardAuth middleware removed from the IngressRoute by hand', async () => {
    type Routes = { middlewares?: unknown[] }[];
    const routes = () => specOf('traefik.io/v1alpha1', 'IngressRoute').routes as Routes;
    const stripped = routes().map((r) => ({ ...r, middlewares: [] }));
    await expectRepaired(
      () =>
        api(k8s.CustomObjectsApi).patchNamespacedCustomObject(
          {
            ...{ group: 'traefik.io', version: 'v1alpha1', plural: 'ingressroutes' },
            ...{ name, namespace: NS, ...HAND, body: { spec: { routes: stripped } } },
          },
          mergePatch,
        ),
      () => routes()[0]?.middlewares?.length === 1,
    );
  });

  it('restores the anchor ConfigMap and the workspace claim’s labels', async () => {
    const config = () => (get('v1', 'ConfigMap')?.data ?? {}) as Record<string, string>;
    const original = config()['openclaw.json'];
    await expectRepaired(
      () =>
        api(k8s.CoreV1Api).patchNamespacedConfigMap(
          { name, namespace: NS, ...HAND, body: { data: { 'openclaw.json': '{}' } } },
          mergePatch,
        ),
      () => config()['openclaw.json'] === original,
    );
    const claim = workspaceClaimName(owner);
    const label = () =>
      get('v1', 'PersistentVolumeClaim', claim)?.metadata.labels?.['app.kubernetes.io/name'];
    await expectRepaired(
      () =>
        api(k8s.CoreV1Api).patchNamespacedPersistentVolumeClaim(
          {
            ...{ name: claim, namespace: NS, ...HAND },
            body: { metadata: { labels: { 'app.kubernetes.io/name': 'hijacked' } } },
          },
          mergePatch,
        ),
      () => label() === 'openclaw',
    );
  });

  it('recreates an owned Service deleted by hand', async () => {
    const uid = get('v1', 'Service')?.metadata.uid;
    await expectRepaired(
      () => api(k8s.CoreV1Api).deleteNamespacedService({ name, namespace: NS }),
      () => !!get('v1', 'Service') && get('v1', 'Service')?.metadata.uid !== uid,
    );
    expect(await resyncWrites()).toBe(0);
  });

  it('after a restart, re-applies once without changing anything, then writes nothing', async () => {
    const kinds = [
      ...['ConfigMap', 'Secret', 'Service', 'Pod'].map((kind) => ['v1', kind]),
      ['networking.k8s.io/v1', 'NetworkPolicy'],
      ['traefik.io/v1alpha1', 'IngressRoute'],
    ] as const;
    const versions = () => [
      ...kinds.map(([apiVersion, kind]) => get(apiVersion, kind)?.metadata.resourceVersion),
      get('v1', 'PersistentVolumeClaim', workspaceClaimName(owner))?.metadata.resourceVersion,
    ];
    const before = { versions: versions(), events: (await spec.events(id)).length };
    await orch.stop();
    sim.requestLog.clear();
    await start();
    await settle();
    // The new process had applied nothing: its first reconcile of a ready runtime re-applies.
    const patched = sim.requestLog.entries.filter((e) => e.method === 'PATCH');
    expect(patched.map((e) => e.resource)).toContain('services');
    // Server-side apply of identical content is a no-op: nothing changed, no event was written.
    expect({ versions: versions(), events: (await spec.events(id)).length }).toEqual(before);
    expect(await resyncWrites()).toBe(0);
    expect(await spec.reached(id, 'Running')).toBe(true);
  });
});
