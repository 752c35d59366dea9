import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type KubeSim, startKubeSim } from './sim.ts';
import { statusOf, WAIT, waitFor } from './test-helpers.ts';

// Generous limits: the machine is shared; the steps themselves take milliseconds.
vi.setConfig({ testTimeout: 30_000 });

let sim: KubeSim;
let core: k8s.CoreV1Api;
const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const pod = (name: string, extra: Partial<k8s.V1Container> = {}): k8s.V1Pod => ({
  metadata: { name, labels: { app: name } },
  spec: { containers: [{ name: 'app', image: 'ghcr.io/openclaw/gateway:1.0', ...extra }] },
});
const read = (name: string, namespace = 'life') =>
  sim.get('v1', 'Pod', namespace, name) as k8s.V1Pod | undefined;
const condition = (p: k8s.V1Pod | undefined, type: string) =>
  p?.status?.conditions?.find((c) => c.type === type)?.status;

beforeAll(async () => {
  sim = await startKubeSim({
    namespaces: ['default', 'life'],
    kubelet: { nodes: ['node-a', 'node-b'] },
  });
  core = sim.kubeConfig('life').makeApiClient(k8s.CoreV1Api);
});
afterAll(() => sim.stop());

describe('garbage collection and finalizers', () => {
  it('cascades Background deletion to dependents via ownerReferences', async () => {
    const owner = await core.createNamespacedConfigMap({
      namespace: 'life',
      body: { metadata: { name: 'root' } },
    });
    const ref = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'root',
      uid: owner.metadata?.uid ?? '',
      controller: true,
      blockOwnerDeletion: true,
    };
    await core.createNamespacedSecret({
      namespace: 'life',
      body: { metadata: { name: 'child', ownerReferences: [ref] } },
    });
    await core.createNamespacedService({
      namespace: 'life',
      body: {
        metadata: { name: 'child-svc', ownerReferences: [ref] },
        spec: { ports: [{ port: 80 }] },
      },
    });
    await core.deleteNamespacedConfigMap({
      name: 'root',
      namespace: 'life',
      propagationPolicy: 'Background',
    });
    await waitFor(
      () =>
        !sim.get('v1', 'Secret', 'life', 'child') && !sim.get('v1', 'Service', 'life', 'child-svc'),
      WAIT,
      'GC',
    );
  });

  it('orphans dependents with propagationPolicy=Orphan', async () => {
    const owner = await core.createNamespacedConfigMap({
      namespace: 'life',
      body: { metadata: { name: 'root2' } },
    });
    const ref = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'root2',
      uid: owner.metadata?.uid ?? '',
    };
    await core.createNamespacedSecret({
      namespace: 'life',
      body: { metadata: { name: 'kept', ownerReferences: [ref] } },
    });
    await core.deleteNamespacedConfigMap({
      name: 'root2',
      namespace: 'life',
      propagationPolicy: 'Orphan',
    });
    await waitFor(() => !sim.get('v1', 'ConfigMap', 'life', 'root2'), WAIT, 'owner gone');
    expect(sim.get('v1', 'Secret', 'life', 'kept')?.metadata.ownerReferences).toBeUndefined();
  });

  it('keeps Foreground owners until dependents are gone, and finalizers hold objects', async () => {
    const owner = await core.createNamespacedConfigMap({
      namespace: 'life',
      body: { metadata: { name: 'fg' } },
    });
    const ref = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'fg',
      uid: owner.metadata?.uid ?? '',
      blockOwnerDeletion: true,
    };
    await core.createNamespacedSecret({
      namespace: 'life',
      body: {
        metadata: { name: 'held', finalizers: ['clawloops.io/keep'], ownerReferences: [ref] },
      },
    });
    await core.deleteNamespacedConfigMap({
      name: 'fg',
      namespace: 'life',
      propagationPolicy: 'Foreground',
    });
    expect(sim.get('v1', 'ConfigMap', 'life', 'fg')?.metadata.finalizers).toEqual([
      'foregroundDeletion',
    ]);
    await waitFor(
      () => sim.get('v1', 'Secret', 'life', 'held')?.metadata.deletionTimestamp,
      WAIT,
      'dependent terminating',
    );
    expect(sim.get('v1', 'ConfigMap', 'life', 'fg')?.metadata.deletionTimestamp).toBeDefined();
    await core.patchNamespacedSecret(
      { name: 'held', namespace: 'life', body: { metadata: { finalizers: null } } },
      mergePatch,
    );
    await waitFor(
      () => !sim.get('v1', 'ConfigMap', 'life', 'fg') && !sim.get('v1', 'Secret', 'life', 'held'),
      WAIT,
      'foreground done',
    );
  });

  it('empties and removes a deleted namespace; creating in it meanwhile is forbidden', async () => {
    await core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    await core.createNamespacedPod({ namespace: 'doomed', body: pod('p') });
    await waitFor(() => read('p', 'doomed')?.status?.phase === 'Running');
    await core.deleteNamespace({ name: 'doomed' });
    const ns = sim.get('v1', 'Namespace', undefined, 'doomed') as k8s.V1Namespace | undefined;
    expect(ns?.status?.phase).toBe('Terminating');
    expect(
      await statusOf(
        core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'x' } } }),
      ),
    ).toMatchObject({ code: 403, reason: 'Forbidden' });
    await waitFor(() => !sim.get('v1', 'Namespace', undefined, 'doomed'), WAIT, 'namespace gone');
  });

  it('binds PVCs and holds a deleted claim while a pod mounts it', async () => {
    await core.createNamespacedPersistentVolumeClaim({
      namespace: 'life',
      body: {
        metadata: { name: 'ws' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      },
    });
    await waitFor(
      () =>
        (sim.get('v1', 'PersistentVolumeClaim', 'life', 'ws')?.status as { phase?: string })
          ?.phase === 'Bound',
    );
    const user = pod('uses-ws');
    user.spec = {
      ...user.spec,
      containers: user.spec?.containers ?? [],
      volumes: [{ name: 'ws', persistentVolumeClaim: { claimName: 'ws' } }],
    };
    await core.createNamespacedPod({ namespace: 'life', body: user });
    await core.deleteNamespacedPersistentVolumeClaim({ name: 'ws', namespace: 'life' });
    await new Promise((r) => setTimeout(r, 30));
    expect(
      sim.get('v1', 'PersistentVolumeClaim', 'life', 'ws')?.metadata.deletionTimestamp,
    ).toBeDefined();
    await core.deleteNamespacedPod({ name: 'uses-ws', namespace: 'life' });
    await waitFor(
      () => !sim.get('v1', 'PersistentVolumeClaim', 'life', 'ws'),
      WAIT,
      'claim released',
    );
  });
});

describe('scheduler and kubelet', () => {
  it('moves a pod through Pending to Running and Ready, with events', async () => {
    await core.createNamespacedPod({
      namespace: 'life',
      body: pod('web', { readinessProbe: { httpGet: { path: '/healthz', port: 18789 } } }),
    });
    const running = await waitFor(() =>
      read('web')?.status?.phase === 'Running' ? read('web') : undefined,
    );
    expect(running.spec?.nodeName).toMatch(/^node-[ab]$/);
    expect(condition(running, 'PodScheduled')).toBe('True');
    const ready = await waitFor(() =>
      condition(read('web'), 'Ready') === 'True' ? read('web') : undefined,
    );
    expect(ready.status?.containerStatuses?.[0]).toMatchObject({
      name: 'app',
      ready: true,
      started: true,
      restartCount: 0,
      image: 'ghcr.io/openclaw/gateway:1.0',
    });
    expect(ready.status?.containerStatuses?.[0]?.state?.running?.startedAt).toBeDefined();
    expect(ready.status?.podIP).toMatch(/^10\.244\./);
    expect(condition(ready, 'ContainersReady')).toBe('True');
    expect(condition(ready, 'Initialized')).toBe('True');
    const events = await core.listNamespacedEvent({
      namespace: 'life',
      fieldSelector: 'involvedObject.name=web',
    });
    expect(events.items.map((e) => e.reason)).toEqual([
      'Scheduled',
      'Pulling',
      'Pulled',
      'Created',
      'Started',
    ]);
    expect(events.items[0]).toMatchObject({
      type: 'Normal',
      involvedObject: { kind: 'Pod', name: 'web', namespace: 'life', uid: ready.metadata?.uid },
      source: { component: 'default-scheduler' },
    });
  });

  it('keeps a deleted running pod Terminating until the grace delay passes', async () => {
    const seen: string[] = [];
    const controller = await new k8s.Watch(sim.kubeConfig('life')).watch(
      '/api/v1/namespaces/life/pods',
      { resourceVersion: sim.resourceVersion(), fieldSelector: 'metadata.name=web' },
      (type, obj) => seen.push(`${type}${obj.metadata?.deletionTimestamp ? ' terminating' : ''}`),
      () => {},
    );
    const deleted = await core.deleteNamespacedPod({ name: 'web', namespace: 'life' });
    expect(deleted.metadata?.deletionTimestamp).toBeDefined();
    expect(deleted.metadata?.deletionGracePeriodSeconds).toBe(30);
    expect(read('web')).toBeDefined();
    await waitFor(() => seen.includes('DELETED terminating'), WAIT, 'DELETED');
    expect(seen[0]).toBe('MODIFIED terminating');
    expect(sim.events({ namespace: 'life', name: 'web' }).map((e) => e.reason)).toContain(
      'Killing',
    );
    controller.abort();
  });
});

describe('controllers switched off (envtest / bare apiserver behaviour)', () => {
  it('leaves dependents and Terminating namespaces alone', async () => {
    const bare = await startKubeSim({
      controllers: { garbageCollector: false, namespaceController: false },
      kubelet: { enabled: false },
    });
    const api = bare.kubeConfig().makeApiClient(k8s.CoreV1Api);
    const owner = await api.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'o' } },
    });
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'o', uid: owner.metadata?.uid ?? '' };
    await api.createNamespacedSecret({
      namespace: 'default',
      body: { metadata: { name: 'd', ownerReferences: [ref] } },
    });
    await api.deleteNamespacedConfigMap({ name: 'o', namespace: 'default' });
    await api.createNamespace({ body: { metadata: { name: 'stuck' } } });
    await api.deleteNamespace({ name: 'stuck' });
    await new Promise((r) => setTimeout(r, 50));
    expect(bare.get('v1', 'Secret', 'default', 'd')).toBeDefined();
    expect(bare.get('v1', 'Namespace', undefined, 'stuck')?.status).toEqual({
      phase: 'Terminating',
    });
    await bare.stop();
  });
});
