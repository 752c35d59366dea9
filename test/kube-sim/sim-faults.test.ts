import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type KubeSim, startKubeSim } from './sim.ts';
import { statusOf, WAIT, waitFor } from './test-helpers.ts';

// Generous limits: the machine is shared; the steps themselves take milliseconds.
vi.setConfig({ testTimeout: 30_000 });

let sim: KubeSim;
let core: k8s.CoreV1Api;
const pod = (name: string, restartPolicy = 'Always'): k8s.V1Pod => ({
  metadata: { name, labels: { 'clawloops.io/runtime-id': name } },
  spec: { restartPolicy, containers: [{ name: 'gw', image: 'ghcr.io/openclaw/gateway:1.0' }] },
});
const read = (name: string) => sim.get('v1', 'Pod', 'f', name) as k8s.V1Pod | undefined;
const gw = (name: string) => read(name)?.status?.containerStatuses?.[0];
const ready = (name: string) =>
  read(name)?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
const reasons = (name: string) => sim.events({ namespace: 'f', name }).map((e) => e.reason);

beforeAll(async () => {
  sim = await startKubeSim({ namespaces: ['f'], kubelet: { nodes: ['n1', 'n2'] } });
  core = sim.kubeConfig('f').makeApiClient(k8s.CoreV1Api);
});
afterAll(() => sim.stop());

describe('pod faults', () => {
  it('crash-loops with back-off and growing restartCount, then recovers when cleared', async () => {
    const fault = sim.faults.crashLoop({ labelSelector: 'clawloops.io/runtime-id=crashy' });
    await core.createNamespacedPod({ namespace: 'f', body: pod('crashy') });
    await waitFor(
      () =>
        gw('crashy')?.state?.waiting?.reason === 'CrashLoopBackOff' &&
        (gw('crashy')?.restartCount ?? 0) >= 1,
      WAIT,
      'CrashLoopBackOff',
    );
    const status = gw('crashy');
    expect(status?.lastState?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(status?.ready).toBe(false);
    expect(read('crashy')?.status?.phase).toBe('Running');
    expect(ready('crashy')).toBe('False');
    expect(reasons('crashy')).toContain('BackOff');
    await waitFor(() => (gw('crashy')?.restartCount ?? 0) >= 3, WAIT, 'more restarts');
    fault.remove();
    await waitFor(() => ready('crashy') === 'True', WAIT, 'recovery');
    expect(gw('crashy')?.state?.running).toBeDefined();
  });

  it('reports OOMKilled once and restarts the container', async () => {
    sim.faults.oomKill({ name: 'oom' }, { once: true });
    await core.createNamespacedPod({ namespace: 'f', body: pod('oom') });
    await waitFor(
      () => gw('oom')?.restartCount === 1 && gw('oom')?.state?.running,
      WAIT,
      'restart after OOM',
    );
    expect(gw('oom')?.lastState?.terminated).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
    await waitFor(() => ready('oom') === 'True');
  });

  it('fails the pod instead of restarting when restartPolicy is Never', async () => {
    sim.faults.crashLoop({ name: 'once-only' }, { exitCode: 2 });
    await core.createNamespacedPod({ namespace: 'f', body: pod('once-only', 'Never') });
    await waitFor(() => read('once-only')?.status?.phase === 'Failed', WAIT, 'Failed');
    expect(gw('once-only')?.state?.terminated?.exitCode).toBe(2);
  });

  it('cycles ErrImagePull and ImagePullBackOff in Pending until cleared', async () => {
    const fault = sim.faults.imagePullError({ name: 'pull' });
    await core.createNamespacedPod({ namespace: 'f', body: pod('pull') });
    await waitFor(
      () => gw('pull')?.state?.waiting?.reason === 'ErrImagePull',
      WAIT,
      'ErrImagePull',
    );
    await waitFor(
      () => gw('pull')?.state?.waiting?.reason === 'ImagePullBackOff',
      WAIT,
      'ImagePullBackOff',
    );
    expect(read('pull')?.status?.phase).toBe('Pending');
    expect(reasons('pull')).toEqual(expect.arrayContaining(['Failed', 'BackOff']));
    fault.remove();
    await waitFor(() => read('pull')?.status?.phase === 'Running', WAIT, 'Running');
  });

  it('leaves a pod unschedulable until the fault is cleared', async () => {
    sim.faults.unschedulable(
      { name: 'nowhere' },
      { message: '0/2 nodes are available: 2 Insufficient memory.' },
    );
    await core.createNamespacedPod({ namespace: 'f', body: pod('nowhere') });
    await waitFor(
      () => read('nowhere')?.status?.conditions?.some((c) => c.reason === 'Unschedulable'),
      WAIT,
      'Unschedulable',
    );
    expect(read('nowhere')?.spec?.nodeName).toBeUndefined();
    expect(sim.events({ namespace: 'f', name: 'nowhere' })[0]).toMatchObject({
      type: 'Warning',
      reason: 'FailedScheduling',
      message: '0/2 nodes are available: 2 Insufficient memory.',
    });
    sim.faults.clearPodFaults({ name: 'nowhere' });
    await waitFor(() => ready('nowhere') === 'True', WAIT, 'scheduled after clear');
  });

  it('flips readiness with an unready fault while the phase stays Running', async () => {
    const fault = sim.faults.unready({ name: 'nowhere' });
    await waitFor(() => ready('nowhere') === 'False');
    expect(read('nowhere')?.status?.phase).toBe('Running');
    fault.remove();
    await waitFor(() => ready('nowhere') === 'True');
  });

  it('loses a node: Ready=False, eviction leaves pods Terminating until the node returns', async () => {
    await core.createNamespacedPod({ namespace: 'f', body: pod('lost') });
    const node = await waitFor(() =>
      ready('lost') === 'True' ? read('lost')?.spec?.nodeName : undefined,
    );
    sim.faults.loseNode(node);
    const nodeStatus = sim.get('v1', 'Node', undefined, node)?.status as
      | k8s.V1NodeStatus
      | undefined;
    const nodeReady = nodeStatus?.conditions?.find((c) => c.type === 'Ready');
    expect(nodeReady?.status).toBe('Unknown');
    await waitFor(() => ready('lost') === 'False', WAIT, 'pod not ready');
    await waitFor(() => read('lost')?.metadata?.deletionTimestamp, WAIT, 'eviction');
    await core.createNamespacedPod({ namespace: 'f', body: pod('elsewhere') });
    await waitFor(() => read('elsewhere')?.spec?.nodeName);
    expect(read('elsewhere')?.spec?.nodeName).not.toBe(node);
    await new Promise((r) => setTimeout(r, 50));
    expect(read('lost')).toBeDefined();
    expect(reasons('lost')).toEqual(
      expect.arrayContaining(['NodeNotReady', 'TaintManagerEviction']),
    );
    sim.faults.restoreNode(node);
    await waitFor(() => !read('lost'), WAIT, 'termination finished');
  });
});

describe('API faults', () => {
  it('fails the next N matching requests with real Status bodies', async () => {
    sim.faults.failRequests({ verb: 'create', resource: 'configmaps', status: 500, times: 1 });
    expect(
      await statusOf(
        core.createNamespacedConfigMap({ namespace: 'f', body: { metadata: { name: 'x' } } }),
      ),
    ).toMatchObject({ kind: 'Status', code: 500, reason: 'InternalError' });
    await core.createNamespacedConfigMap({ namespace: 'f', body: { metadata: { name: 'x' } } });
    sim.faults.failRequests({ path: '/configmaps/x', status: 409, times: 1 });
    expect(
      await statusOf(core.readNamespacedConfigMap({ name: 'x', namespace: 'f' })),
    ).toMatchObject({ code: 409, reason: 'Conflict' });
    sim.faults.failRequests({ verb: 'list', status: 429 });
    expect(await statusOf(core.listNamespacedConfigMap({ namespace: 'f' }))).toMatchObject({
      code: 429,
      reason: 'TooManyRequests',
    });
    expect(sim.requestLog.entries.at(-1)).toMatchObject({
      verb: 'list',
      resource: 'configmaps',
      code: 429,
    });
  });

  it('slows matching requests down', async () => {
    const slow = sim.faults.delayRequests({ verb: 'get', resource: 'configmaps', delayMs: 80 });
    const start = Date.now();
    await core.readNamespacedConfigMap({ name: 'x', namespace: 'f' });
    expect(Date.now() - start).toBeGreaterThanOrEqual(75);
    expect(slow.hits).toBe(1);
    slow.remove();
  });

  it('is deterministic per seed for probabilistic faults', async () => {
    async function pattern(seed: number): Promise<string> {
      const s = await startKubeSim({ seed, kubelet: { enabled: false } });
      const api = s.kubeConfig().makeApiClient(k8s.CoreV1Api);
      s.faults.failRequests({ verb: 'list', probability: 0.5 });
      let out = '';
      for (let i = 0; i < 16; i++)
        out += await api.listNamespacedConfigMap({ namespace: 'default' }).then(
          () => '.',
          () => 'x',
        );
      await s.stop();
      return out;
    }
    const a = await pattern(7);
    expect(await pattern(7)).toBe(a);
    expect(a).toMatch(/x/);
    expect(a).toMatch(/\./);
  });

  it('checks the bearer token and an authorization hook', async () => {
    const s = await startKubeSim({
      kubelet: { enabled: false },
      authorize: (a) => a.verb !== 'delete',
    });
    const kc = s.kubeConfig();
    const api = kc.makeApiClient(k8s.CoreV1Api);
    await api.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'a' } },
    });
    expect(
      await statusOf(api.deleteNamespacedConfigMap({ name: 'a', namespace: 'default' })),
    ).toMatchObject({
      code: 403,
      reason: 'Forbidden',
      message:
        'configmaps "a" is forbidden: User "kube-sim" cannot delete resource "configmaps" in API group "" in the namespace "default"',
    });
    const bad = new k8s.KubeConfig();
    bad.loadFromOptions({
      ...kc,
      clusters: kc.clusters,
      users: [{ name: 'kube-sim', token: 'wrong' }],
      contexts: kc.contexts,
      currentContext: kc.currentContext,
    });
    // The generated client drops 401 bodies; the wire still carries a Status.
    expect(await statusOf(bad.makeApiClient(k8s.CoreV1Api).listNamespace())).toMatchObject({
      code: 401,
    });
    const raw = await fetch(`${s.url}/api/v1/namespaces`);
    expect(raw.headers.get('content-type')).toBe('application/json');
    expect(await raw.json()).toMatchObject({ kind: 'Status', code: 401, reason: 'Unauthorized' });
    await s.stop();
  });
});
