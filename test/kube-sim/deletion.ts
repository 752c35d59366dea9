/**
 * DELETE semantics: preconditions, propagation finalizers (`foregroundDeletion`, `orphan`), graceful
 * termination of bound Pods (the kubelet finishes it), namespace Terminating, and immediate removal.
 */
import type { Objects } from './objects.ts';
import type { ResourceType } from './resources.ts';
import { StatusError, successStatus } from './status.ts';
import { clone, deepEqual, type KubeObject, nowTimestamp } from './types.ts';

export type PropagationPolicy = 'Foreground' | 'Background' | 'Orphan';

export interface DeleteOptions {
  propagationPolicy?: PropagationPolicy;
  orphanDependents?: boolean;
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface DeleteResult {
  /** The object as last stored (still present when `gone` is false). */
  object: KubeObject;
  gone: boolean;
}

/** Kinds whose registry sets ReturnDeletedObject: the response is the object, not a Status. */
const RETURNS_OBJECT = new Set(['Pod', 'Service', 'Namespace']);

export function deleteResponse(rt: ResourceType, result: DeleteResult): unknown {
  if (!result.gone || RETURNS_OBJECT.has(rt.kind)) return result.object;
  return successStatus(rt, result.object.metadata.name ?? '', result.object.metadata.uid);
}

function checkPreconditions(obj: KubeObject, pre: DeleteOptions['preconditions']): void {
  if (pre?.uid && pre.uid !== obj.metadata.uid) {
    throw new StatusError(
      409,
      'Conflict',
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`,
    );
  }
  if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
    throw new StatusError(
      409,
      'Conflict',
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`,
    );
  }
}

function policyFinalizer(opts: DeleteOptions): string | undefined {
  const policy = opts.propagationPolicy ?? (opts.orphanDependents === true ? 'Orphan' : undefined);
  if (policy === 'Foreground') return 'foregroundDeletion';
  if (policy === 'Orphan') return 'orphan';
  return undefined;
}

function podGracePeriod(obj: KubeObject, opts: DeleteOptions): number {
  const spec = obj.spec as
    | { nodeName?: string; terminationGracePeriodSeconds?: number }
    | undefined;
  const phase = (obj.status as { phase?: string } | undefined)?.phase;
  // Unbound or finished pods have no kubelet to wait for: they go at once (reference §1.2 [ran]).
  if (!spec?.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
  return opts.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
}

/** Marks the object terminating (MODIFIED); it stays until finalizers/kubelet/namespace controller finish. */
function markTerminating(
  objects: Objects,
  rt: ResourceType,
  old: KubeObject,
  grace: number,
  finalizer: string | undefined,
  dryRun: boolean,
): KubeObject {
  const next = clone(old);
  const m = next.metadata;
  if (!m.deletionTimestamp) {
    m.deletionTimestamp = nowTimestamp(Date.now() + grace * 1000);
    m.deletionGracePeriodSeconds = grace;
  } else if (grace < (m.deletionGracePeriodSeconds ?? grace)) {
    m.deletionGracePeriodSeconds = grace;
  }
  if (finalizer && !(m.finalizers ?? []).includes(finalizer))
    m.finalizers = [...(m.finalizers ?? []), finalizer];
  if (rt.kind === 'Namespace') next.status = { ...(next.status as object), phase: 'Terminating' };
  if (dryRun || deepEqual(next, old)) return next;
  // Stored directly: deletion bookkeeping is not a client update and must not touch managedFields.
  return objects.store.put(rt, next, old);
}

export function deleteObject(
  objects: Objects,
  rt: ResourceType,
  namespace: string | undefined,
  name: string,
  opts: DeleteOptions,
): DeleteResult {
  const old = objects.require(rt, namespace, name);
  checkPreconditions(old, opts.preconditions);
  const finalizer = policyFinalizer(opts);
  const grace = rt.kind === 'Pod' ? podGracePeriod(old, opts) : 0;
  const dryRun = opts.dryRun === true;
  const hasFinalizers = (old.metadata.finalizers ?? []).length > 0 || finalizer !== undefined;
  if (old.metadata.deletionTimestamp && grace === 0 && rt.kind === 'Pod' && !hasFinalizers) {
    return { object: dryRun ? old : objects.store.remove(rt, old), gone: !dryRun };
  }
  if (rt.kind === 'Namespace' || hasFinalizers || grace > 0) {
    const object = markTerminating(objects, rt, old, grace, finalizer, dryRun);
    return { object, gone: false };
  }
  if (dryRun) return { object: old, gone: false };
  // Real pods show a MODIFIED with deletionTimestamp before DELETED even when unbound [ran].
  const last = rt.kind === 'Pod' ? markTerminating(objects, rt, old, 0, undefined, false) : old;
  return { object: objects.store.remove(rt, last), gone: true };
}
