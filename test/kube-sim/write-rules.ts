/** Small rules of the real registry's update path, kept apart from the pipeline that applies them. */
import type { ResourceType } from './resources.ts';
import { deepEqual, type KubeObject } from './types.ts';

/** Generation bumps on any change outside metadata/status (and annotations for Deployments). */
export function specChanged(rt: ResourceType, old: KubeObject, next: KubeObject): boolean {
  const rest = (o: KubeObject) => {
    const { metadata: _m, status: _s, ...r } = o;
    return r;
  };
  if (!deepEqual(rest(old), rest(next))) return true;
  return (
    rt.generationOnAnnotations === true &&
    !deepEqual(old.metadata.annotations, next.metadata.annotations)
  );
}

/** No-op writes keep the resourceVersion, like the real server (SSA re-applies cause no events). */
export function sameIgnoringTimes(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => ({
    ...o,
    metadata: {
      ...o.metadata,
      resourceVersion: undefined,
      managedFields: o.metadata.managedFields?.map((m) => ({ ...m, time: '' })),
    },
  });
  return deepEqual(JSON.parse(JSON.stringify(strip(a))), JSON.parse(JSON.stringify(strip(b))));
}

/** Registry `ShouldDeleteDuringUpdate`: terminating, no finalizers left, and grace period already 0. */
export function shouldDeleteDuringUpdate(obj: KubeObject): boolean {
  const m = obj.metadata;
  if (!m.deletionTimestamp || (m.finalizers ?? []).length > 0 || m.deletionGracePeriodSeconds !== 0)
    return false;
  if (obj.kind !== 'Namespace') return true;
  const spec = obj.spec as { finalizers?: string[] } | undefined;
  return (spec?.finalizers ?? []).length === 0;
}

const SUFFIX_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

export function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += SUFFIX_CHARS[Math.floor(Math.random() * SUFFIX_CHARS.length)];
  return s;
}
