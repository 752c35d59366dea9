import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type KubeSim, startKubeSim } from './sim.ts';
import { statusOf } from './test-helpers.ts';

// Generous limit: the machine is shared; the requests themselves take milliseconds.
vi.setConfig({ testTimeout: 30_000 });

let sim: KubeSim;
let core: k8s.CoreV1Api;
const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

beforeAll(async () => {
  sim = await startKubeSim({ kubelet: { enabled: false } });
  core = sim.kubeConfig().makeApiClient(k8s.CoreV1Api);
});
afterAll(() => sim.stop());

describe('CRUD through CoreV1Api', () => {
  it('creates, reads, lists, patches and deletes with real metadata', async () => {
    await core.createNamespace({ body: { metadata: { name: 'crud' } } });
    const cm = await core.createNamespacedConfigMap({
      namespace: 'crud',
      body: { metadata: { name: 'cm', labels: { app: 'a' } }, data: { k: 'v' } },
    });
    expect(cm.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(cm.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(Number(cm.metadata?.resourceVersion)).toBeGreaterThan(0);
    expect(cm.metadata?.managedFields?.[0]).toMatchObject({ operation: 'Update' });
    const read = await core.readNamespacedConfigMap({ name: 'cm', namespace: 'crud' });
    expect(read.data).toEqual({ k: 'v' });
    const list = await core.listNamespacedConfigMap({
      namespace: 'crud',
      labelSelector: 'app in (a,b)',
    });
    expect(list.items.map((i) => i.metadata?.name)).toEqual(['cm']);
    expect(Number(list.metadata?.resourceVersion)).toBeGreaterThanOrEqual(
      Number(cm.metadata?.resourceVersion),
    );
    const patched = await core.patchNamespacedConfigMap(
      { name: 'cm', namespace: 'crud', body: { data: { k: null, x: 'y' } } },
      mergePatch,
    );
    expect(patched.data).toEqual({ x: 'y' });
    const jsonPatched = await core.patchNamespacedConfigMap({
      name: 'cm',
      namespace: 'crud',
      body: [{ op: 'add', path: '/data/z', value: '1' }],
    });
    expect(jsonPatched.data).toEqual({ x: 'y', z: '1' });
    const status = await core.deleteNamespacedConfigMap({ name: 'cm', namespace: 'crud' });
    expect(status).toMatchObject({
      status: 'Success',
      details: { name: 'cm', kind: 'configmaps' },
    });
    expect(
      (await statusOf(core.readNamespacedConfigMap({ name: 'cm', namespace: 'crud' }))).code,
    ).toBe(404);
  });

  it('answers errors with the real Status shapes', async () => {
    await core.createNamespace({ body: { metadata: { name: 'errs' } } });
    expect(await statusOf(core.createNamespace({ body: { metadata: { name: 'errs' } } }))).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'namespaces "errs" already exists',
      reason: 'AlreadyExists',
      details: { name: 'errs', kind: 'namespaces' },
      code: 409,
    });
    expect(
      await statusOf(core.readNamespacedPod({ name: 'nope', namespace: 'errs' })),
    ).toMatchObject({
      code: 404,
      reason: 'NotFound',
      message: 'pods "nope" not found',
      details: { name: 'nope', kind: 'pods' },
    });
    const bad = await statusOf(
      core.createNamespacedConfigMap({
        namespace: 'errs',
        body: { metadata: { name: 'Bad_Name' } },
      }),
    );
    expect(bad).toMatchObject({
      code: 422,
      reason: 'Invalid',
      details: {
        name: 'Bad_Name',
        kind: 'ConfigMap',
        causes: [{ reason: 'FieldValueInvalid', field: 'metadata.name' }],
      },
    });
    expect(bad.message).toMatch(
      /^ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/,
    );
    expect(
      await statusOf(
        core.createNamespacedSecret({ namespace: 'missing', body: { metadata: { name: 's' } } }),
      ),
    ).toMatchObject({ code: 404, message: 'namespaces "missing" not found' });
    expect(
      await statusOf(core.listNamespacedPod({ namespace: 'errs', labelSelector: 'a in (b' })),
    ).toMatchObject({ code: 400, reason: 'BadRequest' });
    expect(
      await statusOf(core.listNamespacedPod({ namespace: 'errs', fieldSelector: 'spec.foo=1' })),
    ).toMatchObject({ code: 400, message: 'field label not supported: spec.foo' });
  });

  it('rejects a stale replace with 409 Conflict', async () => {
    await core.createNamespace({ body: { metadata: { name: 'occ' } } });
    const first = await core.createNamespacedSecret({
      namespace: 'occ',
      body: { metadata: { name: 's' }, stringData: { a: 'b' } },
    });
    expect(first.data).toEqual({ a: Buffer.from('b').toString('base64') });
    const updated = await core.replaceNamespacedSecret({
      name: 's',
      namespace: 'occ',
      body: { ...first, data: { a: 'Yw==' } },
    });
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(
      Number(first.metadata?.resourceVersion),
    );
    expect(
      await statusOf(core.replaceNamespacedSecret({ name: 's', namespace: 'occ', body: first })),
    ).toMatchObject({
      code: 409,
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on secrets "s": the object has been modified; please apply your changes to the latest version and try again',
    });
  });

  it('pages lists with limit/continue and expires old continue tokens', async () => {
    await core.createNamespace({ body: { metadata: { name: 'page' } } });
    for (const n of ['a', 'b', 'c'])
      await core.createNamespacedConfigMap({ namespace: 'page', body: { metadata: { name: n } } });
    const one = await core.listNamespacedConfigMap({ namespace: 'page', limit: 2 });
    expect(one.items.map((i) => i.metadata?.name)).toEqual(['a', 'b']);
    expect(one.metadata?.remainingItemCount).toBe(1);
    const two = await core.listNamespacedConfigMap({
      namespace: 'page',
      limit: 2,
      _continue: one.metadata?._continue,
    });
    expect(two.items.map((i) => i.metadata?.name)).toEqual(['c']);
    expect(two.metadata?._continue).toBeUndefined();
    await core.createNamespacedConfigMap({ namespace: 'page', body: { metadata: { name: 'd' } } });
    sim.faults.expireHistory();
    expect(
      await statusOf(
        core.listNamespacedConfigMap({
          namespace: 'page',
          limit: 2,
          _continue: one.metadata?._continue,
        }),
      ),
    ).toMatchObject({ code: 410, reason: 'Expired' });
  });

  it('serves cluster-wide lists with field selectors', async () => {
    const all = await core.listConfigMapForAllNamespaces({
      fieldSelector: 'metadata.namespace=page,metadata.name!=a',
    });
    expect(all.items.map((i) => i.metadata?.name)).toEqual(['b', 'c', 'd']);
  });
});
