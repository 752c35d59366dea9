/**
 * A TypeScript kubelet (KWOK's model) for the real apiserver: it plays the scheduler and the nodes
 * through the API only. It binds pending pods (pods/binding), posts pod status (pods/status),
 * finishes terminations of bound pods (delete with grace 0, as a kubelet does) and renews node
 * Leases. Faults use the simulator's API (test/kube-sim/pod-faults.ts) so tests target both alike.
 */
import {
  CoreV1Api,
  type Informer,
  type KubeConfig,
  makeInformer,
  type ObjectCache,
  PatchStrategy,
  setHeaderOptions,
  type V1Pod,
} from '@kubernetes/client-node';
import {
  type PodFault,
  type PodFaultHandle,
  PodFaults,
  type PodTarget,
} from '../kube-sim/pod-faults.ts';
import type { KubeObject } from '../kube-sim/types.ts';
import { KubeletNodes } from './kubelet-nodes.ts';
import { type PodRunState, podStatus, timestamp, unschedulableStatus } from './kubelet-status.ts';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface TsKubeletOptions {
  /** @default ['node-1', 'node-2', 'node-3'] (several: one lost node must not be a full disruption) */
  nodes?: string[];
  /** Bound → containers running. @default 100 */
  startDelayMs?: number;
  /** How long a container under a crash fault runs before it exits. @default 200 */
  crashAfterMs?: number;
  /** First restart/pull back-off; doubles per failure. @default 200 */
  backoffBaseMs?: number;
  /** @default 1600 */
  backoffMaxMs?: number;
  /** Terminating bound pod → deleted. @default 50 */
  terminationDelayMs?: number;
  /** Lease renewal period (the controller-manager's grace period is 4 s). @default 1000 */
  leaseIntervalMs?: number;
}

interface Run {
  uid: string;
  state?: PodRunState;
  crashes: number;
  pulls: number;
  busy?: Promise<void>;
  timer?: NodeJS.Timeout;
  terminating?: boolean;
}

type Options<T extends PodFault['type']> = Omit<Extract<PodFault, { type: T }>, 'type'>;

export class TsKubelet {
  readonly faults = new PodFaults();
  readonly nodes: KubeletNodes;
  private readonly o: Required<TsKubeletOptions>;
  private readonly core: CoreV1Api;
  private readonly informer: Informer<V1Pod> & ObjectCache<V1Pod>;
  private readonly runs = new Map<string, Run>();
  private resync: NodeJS.Timeout | undefined;
  private stopped = false;
  private ips = 0;

  constructor(kc: KubeConfig, options: TsKubeletOptions = {}) {
    this.o = {
      nodes: ['node-1', 'node-2', 'node-3'],
      startDelayMs: 100,
      crashAfterMs: 200,
      backoffBaseMs: 200,
      backoffMaxMs: 1600,
      terminationDelayMs: 50,
      leaseIntervalMs: 1000,
      ...options,
    };
    this.core = kc.makeApiClient(CoreV1Api);
    this.nodes = new KubeletNodes(kc, this.o.nodes, this.o.leaseIntervalMs);
    this.informer = makeInformer(kc, '/api/v1/pods', () => this.core.listPodForAllNamespaces());
    for (const event of ['add', 'update'] as const) this.informer.on(event, (p) => this.kick(p));
    this.informer.on('delete', (p) => this.forget(p.metadata?.uid));
    this.informer.on('error', () => {
      if (!this.stopped) setTimeout(() => void this.informer.start().catch(() => {}), 500);
    });
    this.faults.onChange(() => this.kickAll());
  }

  async start(): Promise<void> {
    await this.nodes.register();
    await this.informer.start();
    // Level-triggered safety net: faults added or removed change what a pod should look like.
    this.resync = setInterval(() => this.kickAll(), 500);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.resync);
    this.nodes.stop();
    for (const run of this.runs.values()) clearTimeout(run.timer);
    await this.informer.stop();
  }

  crashLoop = (t: PodTarget, o: Options<'crashLoop'> = {}): PodFaultHandle =>
    this.faults.add(t, { type: 'crashLoop', ...o });
  oomKill = (t: PodTarget, o: Options<'oomKilled'> = {}): PodFaultHandle =>
    this.faults.add(t, { type: 'oomKilled', ...o });
  imagePullError = (t: PodTarget, o: Options<'imagePullError'> = {}): PodFaultHandle =>
    this.faults.add(t, { type: 'imagePullError', ...o });
  unschedulable = (t: PodTarget, o: Options<'unschedulable'> = {}): PodFaultHandle =>
    this.faults.add(t, { type: 'unschedulable', ...o });
  unready = (t: PodTarget): PodFaultHandle => this.faults.add(t, { type: 'unready' });

  /** The node stops renewing its Lease and posting status; the node lifecycle controller takes over. */
  loseNode(node: string): Promise<void> {
    return this.nodes.setLost(node, true);
  }

  /** The kubelet is back: node Ready again, stuck terminations finish, running pods report again. */
  async restoreNode(node: string): Promise<void> {
    await this.nodes.setLost(node, false);
    for (const pod of this.informer.list()) {
      const run = pod.metadata?.uid ? this.runs.get(pod.metadata.uid) : undefined;
      if (run && pod.spec?.nodeName === node && run.state)
        this.later(run, 0, () => this.post(pod, run));
    }
  }

  private kickAll(): void {
    for (const pod of this.informer.list()) this.kick(pod);
  }

  private forget(uid: string | undefined): void {
    const run = uid ? this.runs.get(uid) : undefined;
    if (run) clearTimeout(run.timer);
    if (uid) this.runs.delete(uid);
  }

  /** One reconcile per pod at a time; a kick during a reconcile is covered by the next resync. */
  private kick(pod: V1Pod): void {
    const uid = pod.metadata?.uid;
    if (this.stopped || !uid) return;
    const run = this.runs.get(uid) ?? { uid, crashes: 0, pulls: 0 };
    this.runs.set(uid, run);
    if (run.busy) return;
    run.busy = this.reconcile(pod, run)
      .catch(() => {})
      .finally(() => {
        run.busy = undefined;
      });
  }

  private async reconcile(pod: V1Pod, run: Run): Promise<void> {
    const node = pod.spec?.nodeName;
    const { name = '', namespace = '' } = pod.metadata ?? {};
    if (pod.metadata?.deletionTimestamp) {
      if (!node || this.nodes.isLost(node) || run.terminating) return;
      run.terminating = true;
      clearTimeout(run.timer);
      // Grace 0 in the body: client-node drops a falsy `gracePeriodSeconds` query parameter.
      this.later(run, this.o.terminationDelayMs, () =>
        this.core.deleteNamespacedPod({
          name,
          namespace,
          body: { gracePeriodSeconds: 0, preconditions: { uid: run.uid } },
        }),
      );
      return;
    }
    if (!node) return this.schedule(pod);
    if (this.nodes.isLost(node)) return;
    if (!run.state) {
      run.state = {
        phase: { kind: 'creating' },
        restartCount: 0,
        podIP: `10.244.0.${(this.ips++ % 250) + 2}`,
        hostIP: this.nodes.hostIp(node),
        startTime: timestamp(),
      };
      await this.post(pod, run);
      this.later(run, this.o.startDelayMs, () => this.startContainers(run));
      return;
    }
    // Readiness follows the `unready` fault while running.
    const p = run.state.phase;
    const ready = !this.faults.find(pod as KubeObject, 'unready');
    if (p.kind === 'running' && p.ready !== ready) {
      run.state.phase = { ...p, ready };
      await this.post(pod, run);
    }
  }

  private async schedule(pod: V1Pod): Promise<void> {
    const { name = '', namespace = '' } = pod.metadata ?? {};
    const fault = this.faults.find(pod as KubeObject, 'unschedulable');
    const target = this.nodes.pick();
    if (fault || !target) {
      const message = fault?.message ?? '0/3 nodes are available: 3 node(s) were unschedulable.';
      if (pod.status?.conditions?.some((c) => c.reason === 'Unschedulable')) return;
      await this.patchStatus(name, namespace, unschedulableStatus(message));
      return;
    }
    await this.core.createNamespacedPodBinding({
      name,
      namespace,
      body: { metadata: { name, namespace }, target: { kind: 'Node', name: target } },
    });
  }

  private async startContainers(run: Run): Promise<void> {
    const pod = this.current(run);
    if (!pod || !run.state || this.nodes.isLost(pod.spec?.nodeName)) return;
    const pull = this.faults.find(pod as KubeObject, 'imagePullError');
    if (pull) {
      const image = pod.spec?.containers[0]?.image ?? '';
      const first = run.pulls++ === 0;
      run.state.phase = first
        ? {
            kind: 'pullError',
            reason: 'ErrImagePull',
            message:
              pull.message ??
              `rpc error: code = NotFound desc = failed to pull and unpack image "${image}": not found`,
          }
        : {
            kind: 'pullError',
            reason: 'ImagePullBackOff',
            message: `Back-off pulling image "${image}"`,
          };
      await this.post(pod, run);
      this.later(run, this.backoff(run.pulls - 1), () => this.startContainers(run));
      return;
    }
    run.state.phase = {
      kind: 'running',
      startedAt: timestamp(),
      ready: !this.faults.find(pod as KubeObject, 'unready'),
    };
    await this.post(pod, run);
    if (this.faults.find(pod as KubeObject, 'crashLoop', 'oomKilled')) {
      this.later(run, this.o.crashAfterMs, () => this.crash(run));
    }
  }

  /** First exit restarts at once (restartCount 1), later ones wait in CrashLoopBackOff, doubling. */
  private async crash(run: Run): Promise<void> {
    const pod = this.current(run);
    const fault = pod && this.faults.find(pod as KubeObject, 'crashLoop', 'oomKilled');
    if (!pod || !run.state || !fault || run.state.phase.kind !== 'running') return;
    if ('once' in fault && fault.once) this.faults.consume(fault);
    const oom = fault.type === 'oomKilled';
    const terminated = {
      exitCode: oom ? 137 : ((fault.type === 'crashLoop' ? fault.exitCode : undefined) ?? 1),
      reason: oom
        ? 'OOMKilled'
        : ((fault.type === 'crashLoop' ? fault.reason : undefined) ?? 'Error'),
      startedAt: run.state.phase.startedAt,
      finishedAt: timestamp(),
    };
    run.state.lastTerminated = terminated;
    const crashes = run.crashes++;
    if (crashes === 0) {
      run.state.restartCount++;
      return this.startContainers(run);
    }
    const delay = this.backoff(crashes - 1);
    const { name, namespace, uid } = pod.metadata ?? {};
    run.state.phase = {
      kind: 'backoff',
      message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${pod.spec?.containers[0]?.name} pod=${name}_${namespace}(${uid})`,
    };
    await this.post(pod, run);
    this.later(run, delay, () => {
      if (run.state) run.state.restartCount++;
      return this.startContainers(run);
    });
  }

  private backoff(n: number): number {
    return Math.min(this.o.backoffBaseMs * 2 ** n, this.o.backoffMaxMs);
  }

  private current(run: Run): V1Pod | undefined {
    const pod = this.informer.list().find((p) => p.metadata?.uid === run.uid);
    return pod?.metadata?.deletionTimestamp ? undefined : pod;
  }

  private later(run: Run, ms: number, fn: () => Promise<unknown>): void {
    clearTimeout(run.timer);
    run.timer = setTimeout(() => {
      if (!this.stopped) void fn().catch(() => {});
    }, ms);
  }

  private async post(pod: V1Pod, run: Run): Promise<void> {
    if (!run.state || this.nodes.isLost(pod.spec?.nodeName)) return;
    const { name = '', namespace = '' } = pod.metadata ?? {};
    await this.patchStatus(name, namespace, podStatus(pod, run.state, pod.status));
  }

  private patchStatus(name: string, namespace: string, status: object): Promise<unknown> {
    return this.core.patchNamespacedPodStatus({ name, namespace, body: { status } }, MERGE);
  }
}
