import {
  CoreV1Api,
  type Informer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  makeInformer,
  type ObjectCache,
  type V1ConfigMap,
  type V1Pod,
} from '@kubernetes/client-node';
import { type Component, managedSelector, runtimeIdOf, runtimeObjectName } from '../../names.ts';
import type { DriverLogger } from './options.ts';

/**
 * Read side of the driver: informers on our gateway Pods and anchor ConfigMaps, the only two kinds
 * whose existence tells what a runtime is (workload, and "anything left at all"). Every event maps to
 * `onChange(runtimeId)` through the runtime-id label; no payload leaves this module except through
 * the cache getters, so the controller stays level-triggered.
 *
 * client-node's ListWatch relists by itself on 410 and reconnects on a clean close, but stops for good
 * on any other error: we restart it with capped exponential backoff.
 */

export interface RuntimeCache {
  /** Resolves once both caches hold a complete list (controller-runtime's WaitForCacheSync). */
  start(onChange: (runtimeId: string) => void): Promise<void>;
  stop(): Promise<void>;
  pod(runtimeId: string): V1Pod | undefined;
  hasAnchor(runtimeId: string): boolean;
  /** Runtime ids that have a pod or an anchor. */
  knownRuntimeIds(): string[];
}

export interface RuntimeCacheOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  logger: DriverLogger;
  /** Informer restart backoff. @default { initialMs: 500, maxMs: 30_000 } */
  backoff?: { initialMs: number; maxMs: number };
}

type Cached<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

export function createRuntimeCache(options: RuntimeCacheOptions): RuntimeCache {
  const { namespace } = options;
  const core = options.kubeConfig.makeApiClient(CoreV1Api);
  const watched = <T extends KubernetesObject>(
    kind: string,
    component: Component,
    list: (labelSelector: string) => Promise<KubernetesListObject<T>>,
  ) => superviseInformer(kind, component, list, options);
  const pods = watched<V1Pod>('pods', 'gateway', (labelSelector) =>
    core.listNamespacedPod({ namespace, labelSelector }),
  );
  const anchors = watched<V1ConfigMap>('configmaps', 'anchor', (labelSelector) =>
    core.listNamespacedConfigMap({ namespace, labelSelector }),
  );
  return {
    async start(onChange) {
      await Promise.all([pods.start(onChange), anchors.start(onChange)]);
    },
    async stop() {
      await Promise.all([pods.stop(), anchors.stop()]);
    },
    pod: (runtimeId) => pods.cache.get(runtimeObjectName(runtimeId), namespace),
    hasAnchor: (runtimeId) => !!anchors.cache.get(runtimeObjectName(runtimeId), namespace),
    knownRuntimeIds() {
      const ids = [...pods.cache.list(namespace), ...anchors.cache.list(namespace)]
        .map((o) => runtimeIdOf(o.metadata?.labels))
        .filter((id): id is string => !!id);
      return [...new Set(ids)].sort();
    },
  };
}

interface Supervised<T extends KubernetesObject> {
  cache: ObjectCache<T>;
  start(onChange: (runtimeId: string) => void): Promise<void>;
  stop(): Promise<void>;
}

function superviseInformer<T extends KubernetesObject>(
  kind: string,
  component: Component,
  list: (labelSelector: string) => Promise<KubernetesListObject<T>>,
  options: RuntimeCacheOptions,
): Supervised<T> {
  const { logger } = options;
  const backoff = options.backoff ?? { initialMs: 500, maxMs: 30_000 };
  const selector = managedSelector(component);
  let listed = false;
  let failures = 0;
  let stopped = true;
  let timer: NodeJS.Timeout | undefined;
  // Settles on the first complete list, or on stop() so a never-synced start does not hang forever.
  let markSynced: () => void = () => {};
  const synced = new Promise<void>((resolve) => {
    markSynced = resolve;
  });
  const notify = (onChange: (runtimeId: string) => void) => (obj: T) => {
    failures = 0;
    const id = runtimeIdOf(obj.metadata?.labels);
    if (id) onChange(id);
  };
  const informer: Cached<T> = makeInformer(
    options.kubeConfig,
    `/api/v1/namespaces/${options.namespace}/${kind}`,
    async () => {
      const result = await list(selector);
      listed = true;
      failures = 0;
      return result;
    },
    selector,
  );

  const run = async () => {
    timer = undefined;
    listed = false;
    try {
      await informer.start();
    } catch (err) {
      return retry(err);
    }
    // start() returns once the list is in the cache and the watch is open (or it failed).
    if (listed) markSynced();
  };
  const retry = (err: unknown) => {
    if (stopped || timer) return;
    const delay = Math.min(backoff.maxMs, backoff.initialMs * 2 ** failures);
    failures += 1;
    logger.warn({ kind, err: String(err), retryInMs: delay }, 'informer failed; restarting');
    timer = setTimeout(run, delay * (0.75 + Math.random() * 0.5));
  };
  informer.on('error', retry);

  return {
    cache: informer,
    async start(onChange) {
      stopped = false;
      informer.on('change', notify(onChange));
      await run();
      await synced;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      markSynced();
      // Aborting the watch fires the informer's error callback; `stopped` keeps it from restarting.
      await informer.stop();
    },
  };
}
