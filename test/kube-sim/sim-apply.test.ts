import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type KubeSim, startKubeSim } from './sim.ts';
import { statusOf } from './test-helpers.ts';

// Generous limit: the machine is shared; the requests themselves take milliseconds.
vi.setConfig({ testTimeout: 30_000 });

let sim: KubeSim;
let core: k8s.CoreV1Api;
let objects: k8s.KubernetesObjectApi;

beforeAll(async () => {
  sim = await startKubeSim({ kubelet: { enabled: false } });
  core = sim.kubeConfig().makeApiClient(k8s.CoreV1Api);
  objects = k8s.KubernetesObjectApi.makeApiClient(sim.kubeConfig());
});
afterAll(() => sim.stop());

describe('KubernetesObjectApi and server-side apply', () => {
  const svc = (port: number, portName = 'http'): k8s.KubernetesObject & { spec: object } => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'ssa', labels: { app: 'web', tier: 'x' } },
    spec: { selector: { app: 'web' }, ports: [{ name: portName, port, protocol: 'TCP' }] },
  });

  it('creates on first apply, updates on the next, and conflicts across managers', async () => {
    await core.createNamespace({ body: { metadata: { name: 'ssa' } } });
    const created = (await objects.patch(
      svc(80),
      undefined,
      undefined,
      'orchestrator',
      true,
      k8s.PatchStrategy.ServerSideApply,
    )) as k8s.V1Service;
    expect(created.spec?.clusterIP).toMatch(/^10\.96\./);
    expect(created.metadata?.managedFields?.map((m) => [m.manager, m.operation])).toEqual([
      ['orchestrator', 'Apply'],
    ]);
    const again = (await objects.patch(
      svc(80),
      undefined,
      undefined,
      'orchestrator',
      true,
      k8s.PatchStrategy.ServerSideApply,
    )) as k8s.V1Service;
    expect(again.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
    const noTier = svc(8080);
    noTier.metadata = { ...noTier.metadata, labels: { app: 'web' } };
    const updated = (await objects.patch(
      noTier,
      undefined,
      undefined,
      'orchestrator',
      true,
      k8s.PatchStrategy.ServerSideApply,
    )) as k8s.V1Service;
    expect(updated.spec?.ports?.[0]?.port).toBe(8080);
    expect(updated.metadata?.labels).toEqual({ app: 'web' });
    // Service ports are keyed by port+protocol: a conflict is per field of one item.
    const conflict = await statusOf(
      objects.patch(
        svc(8080, 'web'),
        undefined,
        undefined,
        'intruder',
        false,
        k8s.PatchStrategy.ServerSideApply,
      ),
    );
    const field = '.spec.ports[port=8080,protocol="TCP"].name';
    expect(conflict).toMatchObject({
      code: 409,
      reason: 'Conflict',
      message: `Apply failed with 1 conflict: conflict with "orchestrator": ${field}`,
      details: {
        causes: [
          { reason: 'FieldManagerConflict', message: 'conflict with "orchestrator"', field },
        ],
      },
    });
    const forced = (await objects.patch(
      svc(8080, 'web'),
      undefined,
      undefined,
      'intruder',
      true,
      k8s.PatchStrategy.ServerSideApply,
    )) as k8s.V1Service;
    expect(forced.spec?.ports).toEqual([
      { name: 'web', port: 8080, protocol: 'TCP', targetPort: 8080 },
    ]);
    const owners = Object.fromEntries(
      (forced.metadata?.managedFields ?? []).map((m) => [m.manager, m.fieldsV1]),
    );
    const item = 'k:{"port":8080,"protocol":"TCP"}';
    expect(owners.intruder).toMatchObject({
      'f:spec': { 'f:ports': { [item]: { 'f:name': {} } } },
    });
    expect(owners.orchestrator).toMatchObject({
      'f:spec': { 'f:ports': { [item]: { '.': {}, 'f:port': {}, 'f:protocol': {} } } },
    });
    expect(JSON.stringify(owners.orchestrator)).not.toContain('f:name');
  });

  it('applies custom resources and networking objects through discovery', async () => {
    const route = {
      apiVersion: 'traefik.io/v1alpha1',
      kind: 'IngressRoute',
      metadata: { name: 'r', namespace: 'ssa' },
      spec: {
        routes: [
          { match: 'Host(`u.example`)', kind: 'Rule', services: [{ name: 'web', port: 80 }] },
        ],
      },
    };
    const applied = await objects.patch(
      route,
      undefined,
      undefined,
      'orchestrator',
      true,
      k8s.PatchStrategy.ServerSideApply,
    );
    expect((applied as k8s.KubernetesObject).metadata?.generation).toBe(1);
    const custom = sim.kubeConfig().makeApiClient(k8s.CustomObjectsApi);
    const read = await custom.getNamespacedCustomObject({
      group: 'traefik.io',
      version: 'v1alpha1',
      namespace: 'ssa',
      plural: 'ingressroutes',
      name: 'r',
    });
    expect(read.spec.routes[0].match).toBe('Host(`u.example`)');
    const smp = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);
    expect(
      await statusOf(
        custom.patchNamespacedCustomObject(
          {
            group: 'traefik.io',
            version: 'v1alpha1',
            namespace: 'ssa',
            plural: 'ingressroutes',
            name: 'r',
            body: { spec: {} },
          },
          smp,
        ),
      ),
    ).toMatchObject({ code: 415, reason: 'UnsupportedMediaType' });
    const net = sim.kubeConfig().makeApiClient(k8s.NetworkingV1Api);
    const np = await net.createNamespacedNetworkPolicy({
      namespace: 'ssa',
      body: { metadata: { name: 'deny' }, spec: { podSelector: {} } },
    });
    expect(np.spec?.policyTypes).toEqual(['Ingress']);
    const middleware = {
      apiVersion: 'traefik.io/v1alpha1',
      kind: 'Middleware',
      metadata: { name: 'auth', namespace: 'ssa' },
      spec: { forwardAuth: { address: 'http://x' } },
    };
    await objects.create(middleware);
    const listed = await objects.list('traefik.io/v1alpha1', 'Middleware', 'ssa');
    expect(listed.items.map((i) => [i.kind, i.metadata?.name])).toEqual([['Middleware', 'auth']]);
  });

  it('rejects pod spec changes the real apiserver forbids', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'ssa' },
      spec: { containers: [{ name: 'app', image: 'img:1', env: [{ name: 'A', value: '1' }] }] },
    };
    await objects.patch(
      pod,
      undefined,
      undefined,
      'orchestrator',
      true,
      k8s.PatchStrategy.ServerSideApply,
    );
    const imageOnly = structuredClone(pod);
    const [container] = imageOnly.spec.containers;
    if (!container) throw new Error('no container');
    container.image = 'img:2';
    await objects.patch(
      imageOnly,
      undefined,
      undefined,
      'orchestrator',
      true,
      k8s.PatchStrategy.ServerSideApply,
    );
    container.env = [{ name: 'A', value: '2' }];
    expect(
      await statusOf(
        objects.patch(
          imageOnly,
          undefined,
          undefined,
          'orchestrator',
          true,
          k8s.PatchStrategy.ServerSideApply,
        ),
      ),
    ).toMatchObject({ code: 422, reason: 'Invalid' });
  });
});

describe('request log', () => {
  it('records verb, resource and manager per request and derives RBAC rules', () => {
    const applies = sim.requestLog.filter({
      verb: 'patch',
      resource: 'services',
      fieldManager: 'orchestrator',
    });
    expect(applies[0]).toMatchObject({
      method: 'PATCH',
      path: '/api/v1/namespaces/ssa/services/web',
      contentType: 'application/apply-patch+yaml',
      namespace: 'ssa',
      name: 'web',
      apiGroup: '',
      code: 201,
    });
    expect(applies[0]?.query).toMatchObject({ fieldManager: 'orchestrator', force: 'true' });
    // KubernetesObjectApi's discovery reads are non-resource requests (no verb/resource).
    const discovery = sim.requestLog.entries.filter((e) => e.path === '/apis/traefik.io/v1alpha1');
    expect(discovery[0]).toMatchObject({ method: 'GET', code: 200 });
    expect(discovery[0]?.verb).toBeUndefined();
    const rules = sim.requestLog.rbacRules();
    expect(rules).toContainEqual({
      apiGroups: ['traefik.io'],
      resources: ['ingressroutes'],
      verbs: ['get', 'create', 'patch'],
    });
    expect(rules).toContainEqual({
      apiGroups: ['networking.k8s.io'],
      resources: ['networkpolicies'],
      verbs: ['create'],
    });
    // The apply created the Service (201): kube-apiserver authorises that as create too.
    expect(rules).toContainEqual({
      apiGroups: [''],
      resources: ['services'],
      verbs: ['create', 'patch'],
    });
    expect(rules).toContainEqual({
      apiGroups: ['traefik.io'],
      resources: ['middlewares'],
      verbs: ['list', 'create'],
    });
    // The 422 for a forbidden pod change still proves the patch permission is needed (the apply
    // that created the pod needed create as well).
    expect(rules).toContainEqual({
      apiGroups: [''],
      resources: ['pods'],
      verbs: ['create', 'patch'],
    });
  });
});
