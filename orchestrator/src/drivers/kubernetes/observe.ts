import {
  CoreV1Api,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type V1ConfigMap,
  type V1Pod,
} from '@kubernetes/client-node';
import { type Component, managedSelector, runtimeIdOf, runtimeObjectName } from '../../names.ts';
import type { DriverLogger } from './options.ts';
import { superviseInformer } from './supervised-informer.ts';

/**
 * Read side of the driver: informers on our gateway Pods and anchor ConfigMaps, the only two kinds
 * whose existence tells what a runtime is (workload, and "anything left at all"). Every event maps to
 * `onChange(runtimeId)` through the runtime-id label; no payload leaves this module except through
 * the cache getters, so the controller stays level-triggered. Informers restart themselves on errors
 * (supervised-informer.ts).
 */

export interface RuntimeCache {
  /** Resolves once both caches hold a complete list (controller-runtime's WaitForCacheSync). */
  start(onChange: (runtimeId: string) => void): Promise<void>;
  stop(): Promise<void>;
  pod(runtimeId: string): V1Pod | undefined;
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

export function createRuntimeCache(options: RuntimeCacheOptions): RuntimeCache {
  const { namespace } = options;
  const core = options.kubeConfig.makeApiClient(CoreV1Api);
  const watched = <T extends KubernetesObject>(
    kind: string,
    component: Component,
    list: (labelSelector: string) => Promise<KubernetesListObject<T>>,
  ) => {
    const labelSelector = managedSelector(component);
    return superviseInformer<T>({
      kubeConfig: options.kubeConfig,
      path: `/api/v1/namespaces/${namespace}/${kind}`,
      labelSelector,
      list: () => list(labelSelector),
      kind,
      logger: options.logger,
      backoff: options.backoff ?? { initialMs: 500, maxMs: 30_000 },
    });
  };
  const notify = (onChange: (runtimeId: string) => void) => (obj: KubernetesObject) => {
    const id = runtimeIdOf(obj.metadata?.labels);
    if (id) onChange(id);
  };
  const pods = watched<V1Pod>('pods', 'gateway', (labelSelector) =>
    core.listNamespacedPod({ namespace, labelSelector }),
  );
  const anchors = watched<V1ConfigMap>('configmaps', 'anchor', (labelSelector) =>
    core.listNamespacedConfigMap({ namespace, labelSelector }),
  );
  return {
    async start(onChange) {
      await Promise.all([pods.start(notify(onChange)), anchors.start(notify(onChange))]);
    },
    async stop() {
      await Promise.all([pods.stop(), anchors.stop()]);
    },
    pod: (runtimeId) => pods.cache.get(runtimeObjectName(runtimeId), namespace),
    knownRuntimeIds() {
      const ids = [...pods.cache.list(namespace), ...anchors.cache.list(namespace)]
        .map((o) => runtimeIdOf(o.metadata?.labels))
        .filter((id): id is string => !!id);
      return [...new Set(ids)].sort();
    },
  };
}
