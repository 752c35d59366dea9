/** The `sim.faults` surface: API faults, watch faults and pod/node faults behind one object. */
import type {
  DelayRequestsOptions,
  FailRequestsOptions,
  FaultHandle,
  RequestFaults,
} from './faults.ts';
import type { Kubelet } from './kubelet.ts';
import { loseNode, restoreNode } from './node-loss.ts';
import type { PodFault, PodFaultHandle, PodFaults, PodTarget } from './pod-faults.ts';
import { expired } from './status.ts';
import type { Store } from './store.ts';
import type { WatchRegistry } from './watch.ts';

type Options<T extends PodFault['type']> = Omit<Extract<PodFault, { type: T }>, 'type'>;

export interface SimFaults {
  /** Fail matching requests with a Status of the given code (default: the next one, 500). */
  failRequests(opts?: FailRequestsOptions): FaultHandle;
  /** Delay matching requests (watches: before the stream opens). */
  delayRequests(opts: DelayRequestsOptions): FaultHandle;
  /** Server-side close of every open watch now; returns how many were closed. */
  dropWatches(): number;
  /** Send `ERROR` 410 Expired into every open watch, then close it (forces informers to relist). */
  expireWatches(): number;
  /** Compact the history window to now: any watch from an older resourceVersion gets 410. */
  expireHistory(): void;
  /** Resize the history window (events kept for watch replay). */
  setHistoryCapacity(events: number): void;
  crashLoop(target: PodTarget, opts?: Options<'crashLoop'>): PodFaultHandle;
  oomKill(target: PodTarget, opts?: Options<'oomKilled'>): PodFaultHandle;
  imagePullError(target: PodTarget, opts?: Options<'imagePullError'>): PodFaultHandle;
  unschedulable(target: PodTarget, opts?: Options<'unschedulable'>): PodFaultHandle;
  /** Readiness probe failing: Ready=False, phase stays Running. */
  unready(target: PodTarget): PodFaultHandle;
  /** Node loss: Node Ready=Unknown + unreachable taints; pods Ready=False, later evicted and stuck Terminating. */
  loseNode(node: string): void;
  /** The node's kubelet is back: stuck terminations finish, running pods report ready again. */
  restoreNode(node: string): void;
  /** Remove pod faults with exactly this target (all pod faults when omitted). */
  clearPodFaults(target?: PodTarget): void;
  /** Remove every request and pod fault (lost nodes stay lost). */
  clear(): void;
}

export interface FaultDeps {
  requests: RequestFaults;
  pods: PodFaults;
  watches: WatchRegistry;
  store: Store;
  kubelet: () => Kubelet | undefined;
}

export function createSimFaults(d: FaultDeps): SimFaults {
  const requireKubelet = (): Kubelet => {
    const k = d.kubelet();
    if (!k) throw new Error('kube-sim: node faults need the kubelet (options.kubelet.enabled)');
    return k;
  };
  return {
    failRequests: (opts) => d.requests.failRequests(opts),
    delayRequests: (opts) => d.requests.delayRequests(opts),
    dropWatches: () => d.watches.closeAll(),
    expireWatches: () =>
      d.watches.failAll(expired('The resourceVersion for the provided watch is too old.').status),
    expireHistory: () => d.store.compact(),
    setHistoryCapacity: (n) => d.store.setHistoryCapacity(n),
    crashLoop: (target, opts = {}) => d.pods.add(target, { type: 'crashLoop', ...opts }),
    oomKill: (target, opts = {}) => d.pods.add(target, { type: 'oomKilled', ...opts }),
    imagePullError: (target, opts = {}) => d.pods.add(target, { type: 'imagePullError', ...opts }),
    unschedulable: (target, opts = {}) => d.pods.add(target, { type: 'unschedulable', ...opts }),
    unready: (target) => d.pods.add(target, { type: 'unready' }),
    loseNode: (node) => loseNode(requireKubelet(), node),
    restoreNode: (node) => restoreNode(requireKubelet(), node),
    clearPodFaults: (target) => d.pods.clear(target),
    clear: () => {
      d.requests.clear();
      d.pods.clear();
    },
  };
}
