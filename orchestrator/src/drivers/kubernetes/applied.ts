import type { KubernetesObject } from '@kubernetes/client-node';
// Not re-exported by the package root; the typed clients use it for every request body.
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';

/**
 * What this process last applied, per runtime: the bodies drift detection compares the informer
 * cache with. In memory only: after a restart nothing is known, and `drift.ts` reports the runtime
 * unverified until its first re-apply. Bodies are kept in wire form (`from`, not client-node's
 * `_from`), the form watch events and our lists put in the cache.
 */
export interface AppliedLedger {
  /** Remembers `object` as applied for `runtimeId`, replacing an earlier body of the same object. */
  record(runtimeId: string, object: KubernetesObject): void;
  /** Drops a deleted runtime's record. */
  forget(runtimeId: string): void;
  /** Undefined when this process has applied nothing for the runtime. */
  objects(runtimeId: string): KubernetesObject[] | undefined;
  /** Runtimes that applied `kind`/`name` (several share one owner's workspace claim). */
  runtimesUsing(kind: string, name: string): string[];
}

export function createAppliedLedger(): AppliedLedger {
  const byRuntime = new Map<string, Map<string, KubernetesObject>>();
  const users = new Map<string, Set<string>>();
  return {
    record(runtimeId, object) {
      const key = keyOf(object.kind ?? '', object.metadata?.name ?? '');
      const objects = byRuntime.get(runtimeId) ?? new Map<string, KubernetesObject>();
      objects.set(key, toWire(object, modelOf(object.apiVersion, object.kind)));
      byRuntime.set(runtimeId, objects);
      const ids = users.get(key) ?? new Set<string>();
      users.set(key, ids.add(runtimeId));
    },
    forget(runtimeId) {
      for (const key of byRuntime.get(runtimeId)?.keys() ?? []) {
        users.get(key)?.delete(runtimeId);
        if (users.get(key)?.size === 0) users.delete(key);
      }
      byRuntime.delete(runtimeId);
    },
    objects: (runtimeId) => {
      const objects = byRuntime.get(runtimeId);
      return objects && [...objects.values()];
    },
    runtimesUsing: (kind, name) => [...(users.get(keyOf(kind, name)) ?? [])],
  };
}

function keyOf(kind: string, name: string): string {
  return `${kind}/${name}`;
}

/**
 * JSON as the apiserver sends it. Built-in kinds go through client-node's serializer with their
 * `model` (renamed fields, dates); custom resources have none and are copied as they are.
 */
export function toWire<T>(object: T, model: string | undefined): T {
  const wire = model ? ObjectSerializer.serialize(object, model, '') : object;
  return JSON.parse(JSON.stringify(wire)) as T;
}

/** client-node's model name for the built-in kinds we write, e.g. `V1NetworkPolicy`. */
export function modelOf(
  apiVersion: string | undefined,
  kind: string | undefined,
): string | undefined {
  if (apiVersion === 'v1' || apiVersion === 'networking.k8s.io/v1') return `V1${kind}`;
  return undefined;
}
