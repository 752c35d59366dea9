import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type KubeSim, startKubeSim } from './sim.ts';
import { WAIT, waitFor } from './test-helpers.ts';

// Generous limits: the machine is shared; the steps themselves take milliseconds.
vi.setConfig({ testTimeout: 30_000 });

let sim: KubeSim;
let core: k8s.CoreV1Api;
let kc: k8s.KubeConfig;
const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

interface Seen {
  type: string;
  name?: string;
  rv?: string;
  code?: number;
}

/** Opens a raw client-node Watch and collects its events until `done`. */
async function watch(path: string, query: Record<string, string | number | boolean | undefined>) {
  const events: Seen[] = [];
  let done: unknown = 'open';
  const controller = await new k8s.Watch(kc).watch(
    path,
    query,
    (type, obj) =>
      events.push({
        type,
        name: obj?.metadata?.name,
        rv: obj?.metadata?.resourceVersion,
        code: obj?.code,
      }),
    (err) => {
      done = err;
    },
  );
  return { events, controller, done: () => done };
}

beforeAll(async () => {
  sim = await startKubeSim({
    bookmarkIntervalMs: 30,
    namespaces: ['default', 'w'],
    kubelet: { enabled: false },
  });
  kc = sim.kubeConfig('w');
  core = kc.makeApiClient(k8s.CoreV1Api);
});
afterAll(() => sim.stop());

describe('watch', () => {
  it('streams ADDED/MODIFIED/DELETED and bookmarks from a resourceVersion', async () => {
    const from = sim.resourceVersion();
    await core.createNamespacedConfigMap({ namespace: 'w', body: { metadata: { name: 'early' } } });
    const w = await watch('/api/v1/namespaces/w/configmaps', {
      resourceVersion: from,
      allowWatchBookmarks: true,
    });
    await core.patchNamespacedConfigMap(
      { name: 'early', namespace: 'w', body: { data: { a: 'b' } } },
      mergePatch,
    );
    await core.deleteNamespacedConfigMap({ name: 'early', namespace: 'w' });
    // Bookmarks are periodic, so one may also arrive between the events; look at the one after them.
    const deleted = await waitFor(() => w.events.findIndex((e) => e.type === 'DELETED') + 1);
    await waitFor(() => w.events.slice(deleted).some((e) => e.type === 'BOOKMARK'));
    expect(w.events.filter((e) => e.type !== 'BOOKMARK').map((e) => `${e.type} ${e.name}`)).toEqual(
      ['ADDED early', 'MODIFIED early', 'DELETED early'],
    );
    const bookmark = w.events.slice(deleted).find((e) => e.type === 'BOOKMARK');
    expect(Number(bookmark?.rv)).toBeGreaterThanOrEqual(Number(w.events[deleted - 1]?.rv));
    w.controller.abort();
  });

  it('turns selector transitions into ADDED and DELETED', async () => {
    const w = await watch('/api/v1/namespaces/w/configmaps', {
      resourceVersion: sim.resourceVersion(),
      labelSelector: 'team=a',
    });
    await core.createNamespacedConfigMap({
      namespace: 'w',
      body: { metadata: { name: 'sel', labels: { team: 'a' } } },
    });
    await core.patchNamespacedConfigMap(
      { name: 'sel', namespace: 'w', body: { metadata: { labels: { team: 'b' } } } },
      mergePatch,
    );
    await core.patchNamespacedConfigMap(
      { name: 'sel', namespace: 'w', body: { data: { x: 'y' } } },
      mergePatch,
    );
    await core.patchNamespacedConfigMap(
      { name: 'sel', namespace: 'w', body: { metadata: { labels: { team: 'a' } } } },
      mergePatch,
    );
    await waitFor(() => w.events.length >= 3);
    expect(w.events.map((e) => e.type)).toEqual(['ADDED', 'DELETED', 'ADDED']);
    w.controller.abort();
  });

  it('sends synthetic ADDED events for the current state when resourceVersion is 0', async () => {
    const w = await watch('/api/v1/namespaces/w/configmaps', { resourceVersion: '0' });
    await waitFor(() => w.events.length > 0);
    expect(w.events.map((e) => `${e.type} ${e.name}`)).toContain('ADDED sel');
    w.controller.abort();
  });

  it('answers a too-old resourceVersion with ERROR 410 and ends the stream', async () => {
    const old = sim.resourceVersion();
    await core.createNamespacedConfigMap({ namespace: 'w', body: { metadata: { name: 'later' } } });
    sim.faults.expireHistory();
    const w = await watch('/api/v1/namespaces/w/configmaps', { resourceVersion: old });
    await waitFor(() => w.done() === null, WAIT, 'stream end');
    expect(w.events).toEqual([{ type: 'ERROR', code: 410, name: undefined, rv: undefined }]);
  });

  it('closes when tests drop watches, and at timeoutSeconds', async () => {
    const a = await watch('/api/v1/namespaces/w/configmaps', {
      resourceVersion: sim.resourceVersion(),
    });
    const b = await watch('/api/v1/namespaces/w/pods', { resourceVersion: sim.resourceVersion() });
    await waitFor(() => sim.openWatches() >= 2);
    expect(sim.faults.dropWatches()).toBeGreaterThanOrEqual(2);
    await waitFor(() => a.done() === null && b.done() === null);
    const timed = await watch('/api/v1/namespaces/w/configmaps', {
      resourceVersion: sim.resourceVersion(),
      timeoutSeconds: 1,
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(timed.done()).toBe('open');
    await waitFor(() => timed.done() === null, WAIT, 'timeout close');
  });
});

describe('informer', () => {
  function podInformer() {
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/w/pods', () =>
      core.listNamespacedPod({ namespace: 'w' }),
    );
    const log: string[] = [];
    const errors: unknown[] = [];
    informer.on('add', (p) => log.push(`add ${p.metadata?.name}`));
    informer.on('update', (p) => log.push(`update ${p.metadata?.name}`));
    informer.on('delete', (p) => log.push(`delete ${p.metadata?.name}`));
    informer.on('error', (e) => errors.push(e));
    return { informer, log, errors };
  }
  const pod = (name: string) => ({
    metadata: { name },
    spec: { containers: [{ name: 'c', image: 'busybox:1' }] },
  });
  const lists = () =>
    sim.requestLog.filter({ verb: 'list', resource: 'pods', namespace: 'w' }).length;

  it('sees add, update and delete', async () => {
    const { informer, log } = podInformer();
    await informer.start();
    await core.createNamespacedPod({ namespace: 'w', body: pod('i1') });
    await core.patchNamespacedPod(
      { name: 'i1', namespace: 'w', body: { metadata: { labels: { a: 'b' } } } },
      mergePatch,
    );
    await core.deleteNamespacedPod({ name: 'i1', namespace: 'w' });
    await waitFor(() => log.includes('delete i1'));
    // The unbound pod's delete is MODIFIED (deletionTimestamp) then DELETED, as on a real server.
    expect(log).toEqual(['add i1', 'update i1', 'update i1', 'delete i1']);
    await informer.stop();
  });

  it('relists after a 410 (ERROR event or expired history on reconnect)', async () => {
    const { informer, log } = podInformer();
    await informer.start();
    await core.createNamespacedPod({ namespace: 'w', body: pod('r1') });
    await waitFor(() => log.includes('add r1'));
    const before = lists();
    expect(sim.faults.expireWatches()).toBeGreaterThan(0);
    await waitFor(() => lists() === before + 1, WAIT, 'relist after ERROR 410');
    await core.createNamespacedPod({ namespace: 'w', body: pod('r2') });
    await waitFor(() => log.includes('add r2'));
    // A write the informer does not watch moves the global RV past it before compaction.
    await core.createNamespacedConfigMap({ namespace: 'w', body: { metadata: { name: 'bump' } } });
    sim.faults.expireHistory();
    sim.faults.dropWatches();
    await waitFor(() => lists() === before + 2, WAIT, 'relist after reconnect 410');
    await core.createNamespacedPod({ namespace: 'w', body: pod('r3') });
    await waitFor(() => log.includes('add r3'));
    expect(
      informer
        .list('w')
        .map((p) => p.metadata?.name)
        .sort(),
    ).toEqual(['r1', 'r2', 'r3']);
    await informer.stop();
  });

  it('stops on a 500 and works again once the caller restarts it', async () => {
    const { informer, log, errors } = podInformer();
    await informer.start();
    sim.faults.failRequests({ verb: 'watch', resource: 'pods', status: 500 });
    sim.faults.dropWatches();
    await waitFor(() => errors.length > 0, WAIT, 'error callback');
    expect((errors[0] as { statusCode?: number }).statusCode).toBe(500);
    await informer.start();
    await core.createNamespacedPod({ namespace: 'w', body: pod('e1') });
    await waitFor(() => log.includes('add e1'));
    await informer.stop();
  });
});
