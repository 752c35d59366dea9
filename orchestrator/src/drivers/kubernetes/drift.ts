import type { KubernetesObject } from '@kubernetes/client-node';

/**
 * Pure drift check: does the live object (informer cache, wire JSON) still contain what the driver
 * last applied? A recursive subset comparison: every field we set must be present and equal; fields
 * the server added (defaults, status, uid, managedFields) are fine. Lists compare element by element
 * and must have the same length, so an extra NetworkPolicy rule counts as drift.
 */

/** Reported for a runtime whose objects this process has not applied yet (e.g. after a restart). */
export const UNVERIFIED = 'unverified since start';

/** Top-level fields not compared: the informer already fixes the kind, and list items lack them. */
const IGNORED = new Set(['apiVersion', 'kind', 'status']);

/** Path of the first field of `want` that `have` lacks or holds differently, e.g. `spec.ports[0].port`. */
export function firstDifference(want: unknown, have: unknown, path = ''): string | undefined {
  if (Array.isArray(want)) {
    if (!Array.isArray(have) || have.length !== want.length) return path || '(root)';
    for (const [i, item] of want.entries()) {
      const diff = firstDifference(item, have[i], `${path}[${i}]`);
      if (diff) return diff;
    }
    return undefined;
  }
  if (isObject(want)) {
    if (!isObject(have)) return path || '(root)';
    for (const [key, value] of Object.entries(want)) {
      if (value === undefined || (!path && IGNORED.has(key))) continue;
      const diff = firstDifference(value, have[key], path ? `${path}.${key}` : key);
      if (diff) return diff;
    }
    return undefined;
  }
  return want === have ? undefined : path || '(root)';
}

/**
 * First drifted object of a runtime, as `Kind name: field` / `Kind name: missing`; undefined when
 * everything applied is intact. `applied` undefined means nothing is known yet: `UNVERIFIED`.
 */
export function describeDrift(
  applied: readonly KubernetesObject[] | undefined,
  live: (kind: string, name: string) => KubernetesObject | undefined,
): string | undefined {
  if (!applied) return UNVERIFIED;
  for (const want of applied) {
    const kind = want.kind ?? '?';
    const name = want.metadata?.name ?? '?';
    const have = live(kind, name);
    // A terminating object still holds our fields; re-applying cannot stop its deletion, and once it
    // is gone it is `missing` and recreated.
    if (!have) return `${kind} ${name}: missing`;
    const diff = firstDifference(want, have);
    if (diff) return `${kind} ${name}: ${diff}`;
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
