/** Kubelet timing options and the per-pod timer bookkeeping (cancelled when a pod goes away). */
import type { KubeObject } from './types.ts';

/** Delays are scaled down from real clusters so tests run in milliseconds. */
export interface KubeletOptions {
  /** Run the simulated scheduler and kubelet at all. @default true */
  enabled?: boolean;
  /** Node names to create and schedule onto (round-robin). @default ['sim-node-1'] */
  nodes?: string[];
  /** Pod created → bound to a node (spec.nodeName, PodScheduled=True). @default 5 */
  scheduleDelayMs?: number;
  /** Bound → ContainerCreating, and ContainerCreating → image pulled and containers running. @default 5 */
  startDelayMs?: number;
  /** Running → Ready for containers that have a readinessProbe (others are ready at start, as on a real kubelet). @default 10 */
  readyDelayMs?: number;
  /** Terminating → DELETED for bound pods, capped by the pod's grace period. @default 10 */
  terminationDelayMs?: number;
  /** How long a container under a crash fault runs before it exits. @default 10 */
  crashAfterMs?: number;
  /** First restart/pull back-off (real kubelet: 10 s); doubles per failure. @default 10 */
  backoffBaseMs?: number;
  /** Back-off cap (real kubelet: 300 s). @default 80 */
  backoffMaxMs?: number;
  /** Node lost → its pods get Ready=False (real: node-monitor-grace-period, ~40 s). @default 10 */
  nodeNotReadyDelayMs?: number;
  /** Node lost → its pods are evicted, i.e. deleted and stuck Terminating (real: 300 s toleration). @default 50 */
  evictionDelayMs?: number;
  /** PVC created → Bound by the simulated volume controller. @default 5 */
  pvcBindDelayMs?: number;
}

export const KUBELET_DEFAULTS: Required<KubeletOptions> = {
  enabled: true,
  nodes: ['sim-node-1'],
  scheduleDelayMs: 5,
  startDelayMs: 5,
  readyDelayMs: 10,
  terminationDelayMs: 10,
  crashAfterMs: 10,
  backoffBaseMs: 10,
  backoffMaxMs: 80,
  nodeNotReadyDelayMs: 10,
  evictionDelayMs: 50,
  pvcBindDelayMs: 5,
};

export type Stage =
  | 'new'
  | 'scheduling'
  | 'unschedulable'
  | 'starting'
  | 'running'
  | 'crashed'
  | 'done'
  | 'terminating';

export interface PodRun {
  ref: { metadata: { namespace?: string; name?: string; uid?: string } };
  namespace: string;
  name: string;
  node?: string;
  stage: Stage;
  pullFailures: number;
  crashes: number;
  crashPending: boolean;
  timers: Set<NodeJS.Timeout>;
}

export class KubeletTimers {
  readonly options: Required<KubeletOptions>;
  private readonly runs = new Map<string, PodRun>();
  private readonly nodeTimers = new Map<string, Set<NodeJS.Timeout>>();
  private readonly loose = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(options: Required<KubeletOptions>) {
    this.options = options;
  }

  /** The run for this pod, created on first sight. */
  run(pod: KubeObject): PodRun | undefined {
    const uid = pod.metadata.uid;
    if (!uid || this.stopped) return undefined;
    let run = this.runs.get(uid);
    if (!run) {
      const node = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
      run = {
        ref: { metadata: { namespace: pod.metadata.namespace, name: pod.metadata.name, uid } },
        namespace: pod.metadata.namespace ?? '',
        name: pod.metadata.name ?? '',
        stage: 'new',
        pullFailures: 0,
        crashes: 0,
        crashPending: false,
        timers: new Set(),
      };
      if (node) run.node = node;
      this.runs.set(uid, run);
    }
    return run;
  }

  forget(uid: string): void {
    const run = this.runs.get(uid);
    if (run) this.clear(run);
    this.runs.delete(uid);
  }

  /** Runs `fn` after `ms`; errors are swallowed because the pod may have changed under us. */
  after(run: PodRun, ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      run.timers.delete(t);
      if (!this.stopped) guarded(fn);
    }, ms);
    run.timers.add(t);
  }

  nodeAfter(node: string, ms: number, fn: () => void): void {
    const set = this.nodeTimers.get(node) ?? new Set();
    this.nodeTimers.set(node, set);
    const t = setTimeout(() => {
      set.delete(t);
      if (!this.stopped) guarded(fn);
    }, ms);
    set.add(t);
  }

  /** Defers reactions to store events so controllers never write inside another write. */
  soon(fn: () => void): void {
    const t = setTimeout(() => {
      this.loose.delete(t);
      if (!this.stopped) guarded(fn);
    }, 0);
    this.loose.add(t);
  }

  backoff(failures: number): number {
    return Math.min(this.options.backoffBaseMs * 2 ** failures, this.options.backoffMaxMs);
  }

  clear(run: PodRun): void {
    for (const t of run.timers) clearTimeout(t);
    run.timers.clear();
    run.crashPending = false;
  }

  clearNode(node: string): void {
    for (const t of this.nodeTimers.get(node) ?? []) clearTimeout(t);
    this.nodeTimers.delete(node);
  }

  clearAll(): void {
    this.stopped = true;
    for (const run of this.runs.values()) this.clear(run);
    for (const node of this.nodeTimers.keys()) this.clearNode(node);
    for (const t of this.loose) clearTimeout(t);
  }
}

function guarded(fn: () => void): void {
  try {
    fn();
  } catch {
    // The pod was deleted or changed between scheduling and firing; the next event re-drives it.
  }
}
