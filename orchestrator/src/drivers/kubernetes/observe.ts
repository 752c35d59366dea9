import type { KubeConfig, KubernetesObject, V1Pod } from '@kubernetes/client-node';
import { runtimeIdOf, runtimeObjectName } from '../../names.ts';
import type { DriverLogger } from './options.ts';
import { type SupervisedInformer, superviseInformer } from './supervised-informer.ts';
import { watchedKinds } from './watched-kinds.ts';

/**
 * Read side of the driver: one informer per kind the driver applies (watched-kinds.ts). Pods tell
 * how the workload is doing, anchors whether anything of a runtime is left, and every kind is
 * compared with what was applied (drift.ts). Every event maps to `onChange(runtimeId)` through the
 * runtime-id label, or for per-owner objects (the workspace claim) through `dependents`; no payload
 * leaves this module except through the cache getters, so the controller stays level-triggered.
 * Informers restart themselves on errors (supervised-informer.ts).
 */

export interface RuntimeCache {
  /** Resolves once every cache holds a complete list (controller-runtime's WaitForCacheSync). */
  start(onChange: (runtimeId: string) => void): Promise<void>;
  stop(): Promise<void>;
  pod(runtimeId: string): V1Pod | undefined;
  /** An object of a watched kind as last seen (wire JSON except pods), or undefined. */
  object(kind: string, name: string): KubernetesObject | undefined;
  /** Runtime ids that have a pod or an anchor. */
  knownRuntimeIds(): string[];
}

export interface RuntimeCacheOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  logger: DriverLogger;
  /** Runtimes to notify about an object without a runtime-id label. @default none */
  dependents?: (kind: string, name: string) => string[];
  /** Informer restart backoff. @default { initialMs: 500, maxMs: 30_000 } */
  backoff?: { initialMs: number; maxMs: number };
}

export function createRuntimeCache(options: RuntimeCacheOptions): RuntimeCache {
  const { namespace } = options;
  const informers = new Map<string, SupervisedInformer<KubernetesObject>>();
  for (const watched of watchedKinds(options.kubeConfig, namespace)) {
    const informer = superviseInformer<KubernetesObject>({
      ...watched,
      kubeConfig: options.kubeConfig,
      logger: options.logger,
      backoff: options.backoff ?? { initialMs: 500, maxMs: 30_000 },
    });
    informers.set(watched.kind, informer);
  }
  const notify = (kind: string, onChange: (runtimeId: string) => void) => {
    return (obj: KubernetesObject) => {
      const id = runtimeIdOf(obj.metadata?.labels);
      if (id) return onChange(id);
      for (const dependent of options.dependents?.(kind, obj.metadata?.name ?? '') ?? [])
        onChange(dependent);
    };
  };
  const cached = (kind: string) => informers.get(kind)?.cache;
  return {
    async start(onChange) {
      await Promise.all([...informers].map(([kind, i]) => i.start(notify(kind, onChange))));
    },
    async stop() {
      await Promise.all([...informers.values()].map((i) => i.stop()));
    },
    pod: (runtimeId) => cached('Pod')?.get(runtimeObjectName(runtimeId), namespace) as V1Pod,
    object: (kind, name) => cached(kind)?.get(name, namespace),
    knownRuntimeIds() {
      const objects = [...(cached('Pod')?.list(namespace) ?? [])];
      objects.push(...(cached('ConfigMap')?.list(namespace) ?? []));
      const ids = objects.map((o) => runtimeIdOf(o.metadata?.labels)).filter((id) => id);
      return [...new Set(ids as string[])].sort();
    },
  };
}
