/**
 * Kubernetes API-server simulator (a test double): a real HTTP server that the unmodified
 * `@kubernetes/client-node` talks to, with a simulated scheduler, kubelet, garbage collector,
 * namespace and volume controllers, fault injection and a request log.
 *
 *   const sim = await startKubeSim();
 *   const core = sim.kubeConfig().makeApiClient(k8s.CoreV1Api);
 *   …
 *   await sim.stop();
 */
import type { Server } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { type DeleteOptions, deleteObject } from './deletion.ts';
import { EventRecorder } from './events.ts';
import { RequestFaults } from './faults.ts';
import { type ControllerOptions, Controllers } from './gc.ts';
import { Kubelet } from './kubelet.ts';
import { KUBELET_DEFAULTS, type KubeletOptions, KubeletTimers } from './kubelet-timers.ts';
import { Nodes } from './nodes.ts';
import { Objects } from './objects.ts';
import { PodFaults } from './pod-faults.ts';
import { PvcController } from './pvc-controller.ts';
import { RequestLog } from './request-log.ts';
import { findResourceByKind, RESOURCES, type ResourceType } from './resources.ts';
import { matchLabels, parseLabelSelector } from './selectors.ts';
import { type RequestAttributes, startServer } from './server.ts';
import { createSimFaults, type SimFaults } from './sim-faults.ts';
import { Store } from './store.ts';
import type { KubeObject } from './types.ts';
import { WatchRegistry } from './watch.ts';

export interface KubeSimOptions {
  /** TCP port on 127.0.0.1. @default 0 (a random free port) */
  port?: number;
  /** Bearer token every request must carry (401 otherwise); `null` disables the check. @default 'kube-sim-token' */
  token?: string | null;
  /** Namespaces that exist at start. @default ['default', 'kube-system'] */
  namespaces?: string[];
  /** Events kept for watch replay; older resourceVersions get 410 Expired. @default 10000 */
  historyCapacity?: number;
  /** Interval between BOOKMARK events on watches that set allowWatchBookmarks. @default 1000 */
  bookmarkIntervalMs?: number;
  /** Seed of the PRNG behind probabilistic request faults. @default 1 */
  seed?: number;
  /** Garbage collector and namespace controller switches. @default both on, 5 ms delay */
  controllers?: ControllerOptions;
  /** Simulated scheduler/kubelet timings. @default see KUBELET_DEFAULTS (milliseconds, all small) */
  kubelet?: KubeletOptions;
  /** Authorization hook (RBAC stand-in): return false to answer 403 Forbidden. @default allow all */
  authorize?: (attrs: RequestAttributes) => boolean;
}

export interface ListFilter {
  namespace?: string;
  labelSelector?: string;
}

export interface KubeSim {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly token: string | undefined;
  /** A KubeConfig for this server (token auth, skipTLSVerify) whose context uses `namespace`. */
  kubeConfig(namespace?: string): KubeConfig;
  /** Direct store reads (no request log entry). */
  get(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined;
  list(apiVersion: string, kind: string, filter?: ListFilter): KubeObject[];
  /** core/v1 Events, optionally only those about one object. */
  events(involved?: { namespace?: string; name: string }): KubeObject[];
  /** Seeds an object directly (as `manager`, validation on, no request log entry). */
  create(obj: KubeObject, manager?: string): KubeObject;
  delete(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
    opts?: DeleteOptions,
  ): void;
  /** The current global resourceVersion. */
  resourceVersion(): string;
  readonly faults: SimFaults;
  readonly kubelet: { readonly options: Required<KubeletOptions>; readonly nodes: string[] };
  readonly controllers: { readonly options: Required<ControllerOptions> };
  readonly requestLog: RequestLog;
  /** Number of open watch streams. */
  openWatches(): number;
  stop(): Promise<void>;
}

function resourceFor(apiVersion: string, kind: string): ResourceType {
  const rt = findResourceByKind(apiVersion, kind);
  if (!rt) throw new Error(`kube-sim: unknown kind ${apiVersion} ${kind}`);
  return rt;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function startKubeSim(options: KubeSimOptions = {}): Promise<KubeSim> {
  const store = new Store(options.historyCapacity ?? 10_000, 1);
  const objects = new Objects(store);
  const namespaces = RESOURCES.find((r) => r.kind === 'Namespace') as ResourceType;
  for (const ns of options.namespaces ?? ['default', 'kube-system']) {
    objects.create(
      namespaces,
      undefined,
      { metadata: { name: ns } },
      { manager: 'kube-apiserver' },
    );
  }
  const kubeletOptions = { ...KUBELET_DEFAULTS, ...options.kubelet };
  const podFaults = new PodFaults();
  const nodes = new Nodes(objects, kubeletOptions.nodes);
  const controllers = new Controllers(objects, options.controllers);
  const pvcs = new PvcController(objects, () => kubeletOptions.pvcBindDelayMs);
  let kubelet: Kubelet | undefined;
  if (kubeletOptions.enabled) {
    nodes.register();
    kubelet = new Kubelet(
      objects,
      new EventRecorder(objects),
      podFaults,
      nodes,
      new KubeletTimers(kubeletOptions),
    );
    kubelet.start();
    pvcs.start();
  }
  controllers.start();
  const requestFaults = new RequestFaults(options.seed ?? 1);
  const watches = new WatchRegistry();
  const requestLog = new RequestLog();
  const token = options.token === null ? undefined : (options.token ?? 'kube-sim-token');
  const bookmarkIntervalMs = options.bookmarkIntervalMs ?? 1000;
  const { server, url } = await startServer(
    {
      objects,
      faults: requestFaults,
      log: requestLog,
      watches,
      token,
      authorize: options.authorize,
      bookmarkIntervalMs: () => bookmarkIntervalMs,
    },
    options.port ?? 0,
  );

  return {
    url,
    token,
    kubeConfig(namespace = 'default') {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'kube-sim', server: url, skipTLSVerify: true }],
        users: [token === undefined ? { name: 'kube-sim' } : { name: 'kube-sim', token }],
        contexts: [{ name: 'kube-sim', cluster: 'kube-sim', user: 'kube-sim', namespace }],
        currentContext: 'kube-sim',
      });
      return kc;
    },
    get: (apiVersion, kind, namespace, name) =>
      store.get(resourceFor(apiVersion, kind), namespace, name),
    list(apiVersion, kind, filter = {}) {
      const reqs = parseLabelSelector(filter.labelSelector);
      return store
        .list(resourceFor(apiVersion, kind), filter.namespace)
        .filter((o) => matchLabels(reqs, o.metadata.labels));
    },
    events(involved) {
      const all = store.list(resourceFor('v1', 'Event'), involved?.namespace);
      if (!involved) return all;
      return all.filter(
        (e) => (e.involvedObject as { name?: string } | undefined)?.name === involved.name,
      );
    },
    create: (obj, manager = 'kube-sim') =>
      objects.create(resourceFor(obj.apiVersion, obj.kind), obj.metadata.namespace, obj, {
        manager,
      }),
    delete(apiVersion, kind, namespace, name, opts = {}) {
      deleteObject(objects, resourceFor(apiVersion, kind), namespace, name, opts);
    },
    resourceVersion: () => String(store.resourceVersion),
    faults: createSimFaults({
      requests: requestFaults,
      pods: podFaults,
      watches,
      store,
      kubelet: () => kubelet,
    }),
    kubelet: { options: kubeletOptions, nodes: nodes.names },
    controllers: { options: controllers.options },
    requestLog,
    openWatches: () => watches.size,
    async stop() {
      kubelet?.stop();
      pvcs.stop();
      controllers.stop();
      watches.closeAll();
      await closeServer(server);
    },
  };
}
