/**
 * One orchestrator suite, two Kubernetes backends:
 *  - `sim`: the in-repo API-server simulator (test/kube-sim), every run;
 *  - `apiserver`: the contract tier, a real kube-apiserver 1.20 + etcd + controller-manager
 *    (test/kube-apiserver) with a TypeScript kubelet and a fault proxy; skipped with a message when
 *    the binaries are not built (CI builds them).
 * The orchestrator gets `kubeConfig()`: on the apiserver that is the non-admin identity bound to
 * deploy/k8s/base/orchestrator-rbac.yaml, through the fault proxy. Reads here are the test's own.
 */
import { request as httpsRequest } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { contractTierSkipReason } from '../kube-apiserver/binaries.ts';
import { startFaultProxy } from '../kube-apiserver/fault-proxy.ts';
import { startKubeApiServer } from '../kube-apiserver/harness.ts';
import { TsKubelet } from '../kube-apiserver/kubelet.ts';
import type { FailRequestsOptions, FaultHandle } from '../kube-sim/faults.ts';
import type { PodFaultHandle, PodTarget } from '../kube-sim/pod-faults.ts';
import type { RequestLog } from '../kube-sim/request-log.ts';
import { type KubeSim, startKubeSim } from '../kube-sim/sim.ts';
import type { KubeObject } from '../kube-sim/types.ts';

export type KubeBackendKind = 'sim' | 'apiserver';

export interface KubeBackendFaults {
  failRequests(opts?: FailRequestsOptions): FaultHandle;
  dropWatches(): number;
  expireWatches(): number;
  /** Watches from older resourceVersions get 410 (sim: history window; apiserver: etcd compaction). */
  expireHistory(): Promise<void>;
  crashLoop(target: PodTarget): PodFaultHandle;
  oomKill(target: PodTarget): PodFaultHandle;
  imagePullError(target: PodTarget): PodFaultHandle;
  loseNode(node: string): Promise<void>;
  restoreNode(node: string): Promise<void>;
}

export interface KubeBackend {
  readonly kind: KubeBackendKind;
  /** How long tests wait for convergence (the real control plane has real controller periods). */
  readonly timeoutMs: number;
  /** The orchestrator's KubeConfig (least privilege on the apiserver). */
  kubeConfig(namespace: string): KubeConfig;
  /** A cluster admin, for edits a human would make. */
  adminKubeConfig(namespace: string): KubeConfig;
  get(
    apiVersion: string,
    kind: string,
    namespace: string,
    name: string,
  ): Promise<KubeObject | undefined>;
  list(
    apiVersion: string,
    kind: string,
    filter: { namespace: string; labelSelector?: string },
  ): Promise<KubeObject[]>;
  readonly faults: KubeBackendFaults;
  /** Every request the orchestrator made (sim: all requests; apiserver: those through the proxy). */
  readonly requestLog: RequestLog;
  openWatches(): number;
  stop(): Promise<void>;
}

/** The backends to run a suite on, each with the reason it is skipped here (if it is). */
export function kubeBackends(): { kind: KubeBackendKind; skip?: string }[] {
  const skip = contractTierSkipReason();
  if (skip) console.warn(`[contract tier skipped] ${skip}`);
  return [{ kind: 'sim' }, { kind: 'apiserver', ...(skip ? { skip } : {}) }];
}

export function startKubeBackend(
  kind: KubeBackendKind,
  namespaces: string[],
): Promise<KubeBackend> {
  return kind === 'sim' ? simBackend(namespaces) : apiserverBackend(namespaces);
}

async function simBackend(namespaces: string[]): Promise<KubeBackend> {
  const sim: KubeSim = await startKubeSim({
    namespaces: ['default', 'kube-system', ...namespaces],
  });
  return {
    kind: 'sim',
    timeoutMs: 10_000,
    kubeConfig: (ns) => sim.kubeConfig(ns),
    adminKubeConfig: (ns) => sim.kubeConfig(ns),
    get: async (apiVersion, kind, ns, name) => sim.get(apiVersion, kind, ns, name),
    list: async (apiVersion, kind, filter) => sim.list(apiVersion, kind, filter),
    faults: {
      failRequests: (o) => sim.faults.failRequests(o),
      dropWatches: () => sim.faults.dropWatches(),
      expireWatches: () => sim.faults.expireWatches(),
      expireHistory: async () => sim.faults.expireHistory(),
      crashLoop: (t) => sim.faults.crashLoop(t),
      oomKill: (t) => sim.faults.oomKill(t),
      imagePullError: (t) => sim.faults.imagePullError(t),
      loseNode: async (n) => sim.faults.loseNode(n),
      restoreNode: async (n) => sim.faults.restoreNode(n),
    },
    requestLog: sim.requestLog,
    openWatches: () => sim.openWatches(),
    stop: () => sim.stop(),
  };
}

async function apiserverBackend(namespaces: string[]): Promise<KubeBackend> {
  const cp = await startKubeApiServer({ namespaces });
  const proxy = await startFaultProxy(cp.url, cp.tls);
  const kubelet = new TsKubelet(cp.adminKubeConfig());
  await kubelet.start();
  const admin = cp.adminKubeConfig();
  return {
    kind: 'apiserver',
    timeoutMs: 30_000,
    kubeConfig: (ns) => cp.orchestratorKubeConfig(ns, proxy.url),
    adminKubeConfig: (ns) => cp.adminKubeConfig(ns),
    async get(apiVersion, kind, ns, name) {
      const res = await rawGet(admin, `${collectionPath(apiVersion, kind, ns)}/${name}`);
      return res.code === 404 ? undefined : (res.body as KubeObject);
    },
    async list(apiVersion, kind, filter) {
      const q = filter.labelSelector
        ? `?labelSelector=${encodeURIComponent(filter.labelSelector)}`
        : '';
      const res = await rawGet(admin, `${collectionPath(apiVersion, kind, filter.namespace)}${q}`);
      return (res.body as { items: KubeObject[] }).items;
    },
    faults: {
      failRequests: (o) => proxy.failRequests(o),
      dropWatches: () => proxy.dropWatches(),
      expireWatches: () => proxy.expireWatches(),
      expireHistory: () => cp.compact(),
      crashLoop: (t) => kubelet.crashLoop(t),
      oomKill: (t) => kubelet.oomKill(t),
      imagePullError: (t) => kubelet.imagePullError(t),
      loseNode: (n) => kubelet.loseNode(n),
      restoreNode: (n) => kubelet.restoreNode(n),
    },
    requestLog: proxy.requestLog,
    openWatches: () => proxy.openWatches(),
    async stop() {
      await kubelet.stop().catch(() => {});
      await proxy.stop();
      await cp.stop();
    },
  };
}

/** `pods` from `Pod`, `networkpolicies` from `NetworkPolicy`: enough for the kinds the suites read. */
function collectionPath(apiVersion: string, kind: string, namespace: string): string {
  const lower = kind.toLowerCase();
  const plural = lower.endsWith('y') ? `${lower.slice(0, -1)}ies` : `${lower}s`;
  const prefix = apiVersion === 'v1' ? '/api/v1' : `/apis/${apiVersion}`;
  return `${prefix}/namespaces/${namespace}/${plural}`;
}

/** Raw JSON (not client-node's typed objects): the suites compare wire shapes on both backends. */
async function rawGet(kc: KubeConfig, path: string): Promise<{ code: number; body: unknown }> {
  const server = kc.getCurrentCluster()?.server ?? '';
  const opts: Record<string, unknown> = {};
  await kc.applyToHTTPSOptions(opts);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${server}${path}`, opts, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        const code = res.statusCode ?? 0;
        if (code >= 400 && code !== 404) reject(new Error(`GET ${path}: ${code} ${text}`));
        else resolve({ code, body: JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}
