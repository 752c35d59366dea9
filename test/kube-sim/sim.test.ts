import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeSim, startKubeSim } from './sim.ts';
import { statusOf } from './test-helpers.ts';

let sim: KubeSim;
let core: k8s.CoreV1Api;
let objects: k8s.KubernetesObjectApi;
const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

beforeAll(async () => {
  sim = await startKubeSim({ kubelet: { enabled: false } });
  core = sim.kubeConfig().makeApiClient(k8s.CoreV1Api);
  objects = k8s.KubernetesObjectApi.makeApiClient(sim.kubeConfig());
});
afterAll(() => sim.stop());

describe('CRUD through CoreV1Api', () => {
  it('creates, reads, lists, patches and deletes with real metadata', async () => {
    await core.createNamespace({ body: { metadata: { name: 'crud' } } });
    const cm = await core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'cm', labels: { app: 'a' } }, data: { k: 'v' } } });
    expect(cm.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(cm.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(Number(cm.metadata?.resourceVersion)).toBeGreaterThan(0);
    expect(cm.metadata?.managedFields?.[0]).toMatchObject({ operation: 'Update' });
    const read = await core.readNamespacedConfigMap({ name: 'cm', namespace: 'crud' });
    expect(read.data).toEqual({ k: 'v' });
    const list = await core.listNamespacedConfigMap({ namespace: 'crud', labelSelector: 'app in (a,b)' });
    expect(list.items.map((i) => i.metadata?.name)).toEqual(['cm']);
    expect(Number(list.metadata?.resourceVersion)).toBeGreaterThanOrEqual(Number(cm.metadata?.resourceVersion));
    const patched = await core.patchNamespacedConfigMap({ name: 'cm', namespace: 'crud', body: { data: { k: null, x: 'y' } } }, mergePatch);
    expect(patched.data).toEqual({ x: 'y' });
    const jsonPatched = await core.patchNamespacedConfigMap({ name: 'cm', namespace: 'crud', body: [{ op: 'add', path: '/data/z', value: '1' }] });
    expect(jsonPatched.data).toEqual({ x: 'y', z: '1' });
    const status = await core.deleteNamespacedConfigMap({ name: 'cm', namespace: 'crud' });
    expect(status).toMatchObject({ status: 'Success', details: { name: 'cm', kind: 'configmaps' } });
    expect((await statusOf(core.readNamespacedConfigMap({ name: 'cm', namespace: 'crud' }))).code).toBe(404);
  });

  it('answers errors with the real Status shapes', async () => {
    await core.createNamespace({ body: { metadata: { name: 'errs' } } });
    expect(await statusOf(core.createNamespace({ body: { metadata: { name: 'errs' } } }))).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'namespaces "errs" already exists', reason: 'AlreadyExists', details: { name: 'errs', kind: 'namespaces' }, code: 409,
    });
    expect(await statusOf(core.readNamespacedPod({ name: 'nope', namespace: 'errs' }))).toMatchObject({ code: 404, reason: 'NotFound', message: 'pods "nope" not found', details: { name: 'nope', kind: 'pods' } });
    const bad = await statusOf(core.createNamespacedConfigMap({ namespace: 'errs', body: { metadata: { name: 'Bad_Name' } } }));
    expect(bad).toMatchObject({ code: 422, reason: 'Invalid', details: { name: 'Bad_Name', kind: 'ConfigMap', causes: [{ reason: 'FieldValueInvalid', field: 'metadata.name' }] } });
    expect(bad.message).toMatch(/^ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
    expect(await statusOf(core.createNamespacedSecret({ namespace: 'missing', body: { metadata: { name: 's' } } }))).toMatchObject({ code: 404, message: 'namespaces "missing" not found' });
    expect(await statusOf(core.listNamespacedPod({ namespace: 'errs', labelSelector: 'a in (b' }))).toMatchObject({ code: 400, reason: 'BadRequest' });
    expect(await statusOf(core.listNamespacedPod({ namespace: 'errs', fieldSelector: 'spec.foo=1' }))).toMatchObject({ code: 400, message: 'field label not supported: spec.foo' });
  });

  it('rejects a stale replace with 409 Conflict', async () => {
    await core.createNamespace({ body: { metadata: { name: 'occ' } } });
    const first = await core.createNamespacedSecret({ namespace: 'occ', body: { metadata: { name: 's' }, stringData: { a: 'b' } } });
    expect(first.data).toEqual({ a: Buffer.from('b').toString('base64') });
    const updated = await core.replaceNamespacedSecret({ name: 's', namespace: 'occ', body: { ...first, data: { a: 'Yw==' } } });
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(Number(first.metadata?.resourceVersion));
    expect(await statusOf(core.replaceNamespacedSecret({ name: 's', namespace: 'occ', body: first }))).toMatchObject({
      code: 409,
      reason: 'Conflict',
      message: 'Operation cannot be fulfilled on secrets "s": the object has been modified; please apply your changes to the latest version and try again',
    });
  });

  it('pages lists with limit/continue and expires old continue tokens', async () => {
    await core.createNamespace({ body: { metadata: { name: 'page' } } });
    for (const n of ['a', 'b', 'c']) await core.createNamespacedConfigMap({ namespace: 'page', body: { metadata: { name: n } } });
    const one = await core.listNamespacedConfigMap({ namespace: 'page', limit: 2 });
    expect(one.items.map((i) => i.metadata?.name)).toEqual(['a', 'b']);
    expect(one.metadata?.remainingItemCount).toBe(1);
    const two = await core.listNamespacedConfigMap({ namespace: 'page', limit: 2, _continue: one.metadata?._continue });
    expect(two.items.map((i) => i.metadata?.name)).toEqual(['c']);
    expect(two.metadata?._continue).toBeUndefined();
    await core.createNamespacedConfigMap({ namespace: 'page', body: { metadata: { name: 'd' } } });
    sim.faults.expireHistory();
    expect(await statusOf(core.listNamespacedConfigMap({ namespace: 'page', limit: 2, _continue: one.metadata?._continue }))).toMatchObject({ code: 410, reason: 'Expired' });
  });

  it('serves cluster-wide lists with field selectors', async () => {
    const all = await core.listConfigMapForAllNamespaces({ fieldSelector: 'metadata.namespace=page,metadata.name!=a' });
    expect(all.items.map((i) => i.metadata?.name)).toEqual(['b', 'c', 'd']);
  });
});

describe('KubernetesObjectApi and server-side apply', () => {
  const svc = (port: number): k8s.KubernetesObject & { spec: object } => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'ssa', labels: { app: 'web', tier: 'x' } },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port, protocol: 'TCP' }] },
  });

  it('creates on first apply, updates on the next, and conflicts across managers', async () => {
    await core.createNamespace({ body: { metadata: { name: 'ssa' } } });
    const created = (await objects.patch(svc(80), undefined, undefined, 'orchestrator', true, k8s.PatchStrategy.ServerSideApply)) as k8s.V1Service;
    expect(created.spec?.clusterIP).toMatch(/^10\.96\./);
    expect(created.metadata?.managedFields?.map((m) => [m.manager, m.operation])).toEqual([['orchestrator', 'Apply']]);
    const again = (await objects.patch(svc(80), undefined, undefined, 'orchestrator', true, k8s.PatchStrategy.ServerSideApply)) as k8s.V1Service;
    expect(again.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
    const noTier = svc(8080);
    noTier.metadata = { ...noTier.metadata, labels: { app: 'web' } };
    const updated = (await objects.patch(noTier, undefined, undefined, 'orchestrator', true, k8s.PatchStrategy.ServerSideApply)) as k8s.V1Service;
    expect(updated.spec?.ports?.[0]?.port).toBe(8080);
    expect(updated.metadata?.labels).toEqual({ app: 'web' });
    const conflict = await statusOf(objects.patch(svc(9090), undefined, undefined, 'intruder', false, k8s.PatchStrategy.ServerSideApply));
    expect(conflict).toMatchObject({ code: 409, reason: 'Conflict', message: 'Apply failed with 1 conflict: conflict with "orchestrator": .spec.ports', details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "orchestrator"', field: '.spec.ports' }] } });
    const forced = (await objects.patch(svc(9090), undefined, undefined, 'intruder', true, k8s.PatchStrategy.ServerSideApply)) as k8s.V1Service;
    expect(forced.spec?.ports?.[0]?.port).toBe(9090);
    const owners = Object.fromEntries((forced.metadata?.managedFields ?? []).map((m) => [m.manager, JSON.stringify(m.fieldsV1)]));
    expect(owners.intruder).toContain('f:ports');
    expect(owners.orchestrator).not.toContain('f:ports');
  });

  it('applies custom resources and networking objects through discovery', async () => {
    const route = { apiVersion: 'traefik.io/v1alpha1', kind: 'IngressRoute', metadata: { name: 'r', namespace: 'ssa' }, spec: { routes: [{ match: 'Host(`u.example`)', kind: 'Rule', services: [{ name: 'web', port: 80 }] }] } };
    const applied = await objects.patch(route, undefined, undefined, 'orchestrator', true, k8s.PatchStrategy.ServerSideApply);
    expect(applied.metadata?.generation).toBe(1);
    const custom = sim.kubeConfig().makeApiClient(k8s.CustomObjectsApi);
    const read = await custom.getNamespacedCustomObject({ group: 'traefik.io', version: 'v1alpha1', namespace: 'ssa', plural: 'ingressroutes', name: 'r' });
    expect(read.spec.routes[0].match).toBe('Host(`u.example`)');
    const smp = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);
    expect(await statusOf(custom.patchNamespacedCustomObject({ group: 'traefik.io', version: 'v1alpha1', namespace: 'ssa', plural: 'ingressroutes', name: 'r', body: { spec: {} } }, smp))).toMatchObject({ code: 415, reason: 'UnsupportedMediaType' });
    const net = sim.kubeConfig().makeApiClient(k8s.NetworkingV1Api);
    const np = await net.createNamespacedNetworkPolicy({ namespace: 'ssa', body: { metadata: { name: 'deny' }, spec: { podSelector: {} } } });
    expect(np.spec?.policyTypes).toEqual(['Ingress']);
    const middleware = { apiVersion: 'traefik.io/v1alpha1', kind: 'Middleware', metadata: { name: 'auth', namespace: 'ssa' }, spec: { forwardAuth: { address: 'http://x' } } };
    await objects.create(middleware);
    const listed = await objects.list('traefik.io/v1alpha1', 'Middleware', 'ssa');
    expect(listed.items.map((i) => [i.kind, i.metadata?.name])).toEqual([['Middleware', 'auth']]);
  });

  it('rejects pod spec changes the real apiserver forbids', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ssa' }, spec: { containers: [{ name: 'app', image: 'img:1', env: [{ name: 'A', value: '1' }] }] } };
    await objects.patch(pod, undefined, undefined, 'orchestrator', true, k8s.PatchStrategy.ServerSideApply);
    const imageOnly = structuredClone(pod);
    imageOnly.spec.containers[0]!.image = 'img:2';
    await objects.patch(imageOnly, undefined, undefined, 'orchestrator', true, k8s.PatchStrategy.ServerSideApply);
    imageOnly.spec.containers[0]!.env = [{ name: 'A', value: '2' }];
    expect(await statusOf(objects.patch(imageOnly, undefined, undefined, 'orchestrator', true, k8s.PatchStrategy.ServerSideApply))).toMatchObject({ code: 422, reason: 'Invalid' });
  });
});

describe('request log', () => {
  it('records verb, resource and manager per request and derives RBAC rules', () => {
    const applies = sim.requestLog.filter({ verb: 'patch', resource: 'services', fieldManager: 'orchestrator' });
    expect(applies[0]).toMatchObject({ method: 'PATCH', path: '/api/v1/namespaces/ssa/services/web', contentType: 'application/apply-patch+yaml', namespace: 'ssa', name: 'web', apiGroup: '', code: 201 });
    expect(applies[0]?.query).toMatchObject({ fieldManager: 'orchestrator', force: 'true' });
    expect(sim.requestLog.filter({ path: '/api/v1' } as never)).toBeDefined();
    const rules = sim.requestLog.rbacRules();
    expect(rules).toContainEqual({ apiGroups: ['traefik.io'], resources: ['ingressroutes'], verbs: ['get', 'patch'] });
    expect(rules).toContainEqual({ apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['create'] });
    expect(rules.find((r) => r.resources[0] === 'configmaps')?.verbs).toEqual(['get', 'list', 'create', 'patch', 'delete']);
  });
});
