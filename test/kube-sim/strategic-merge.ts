/**
 * Strategic merge patch for the built-in fields the orchestrator touches (reference §2.3): lists with a
 * patchMergeKey are merged by key, `finalizers` is merged as a set, everything else follows RFC 7386.
 * Supported directives: `$patch: delete|replace` (maps and list items), `$retainKeys`,
 * `$deleteFromPrimitiveList/<field>`; `$setElementOrder/<field>` is accepted and ignored (approximation).
 */
import { clone, isPlainObject } from './types.ts';

/** patchMergeKey by field name, from the `patchMergeKey` struct tags in k8s.io/api. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  conditions: 'type',
  ownerReferences: 'uid',
  topologySpreadConstraints: 'topologyKey',
  resourceClaims: 'name',
};

/** Lists of scalars with patchStrategy "merge". */
const SET_LISTS = new Set(['finalizers']);

function mergeKeyFor(path: string[], kind: string): string | undefined {
  const field = path[path.length - 1] as string;
  if (field === 'ports') {
    return kind === 'Service' && path.length === 2 && path[0] === 'spec' ? 'port' : 'containerPort';
  }
  return MERGE_KEYS[field];
}

function mergeKeyedList(
  target: unknown[],
  patch: unknown[],
  key: string,
  path: string[],
  kind: string,
): unknown[] {
  const result = target.map((x) => clone(x));
  for (const item of patch) {
    if (!isPlainObject(item)) {
      result.push(clone(item));
      continue;
    }
    const index = result.findIndex((x) => isPlainObject(x) && x[key] === item[key]);
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) result[index] = strategicMerge(result[index], item, path, kind);
    else result.push(strategicMerge({}, item, path, kind));
  }
  return result;
}

function mergeSetList(target: unknown[], patch: unknown[]): unknown[] {
  const result = [...target];
  for (const v of patch) if (!result.includes(v)) result.push(v);
  return result;
}

function applyDirectives(result: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$deleteFromPrimitiveList/') && Array.isArray(value)) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const list = result[field];
      if (Array.isArray(list)) result[field] = list.filter((x) => !value.includes(x));
    }
  }
  const retain = patch.$retainKeys;
  if (Array.isArray(retain)) {
    for (const key of Object.keys(result)) if (!retain.includes(key)) delete result[key];
  }
}

/** `path` is the field path of `target` inside the object (used to pick merge keys). */
export function strategicMerge(
  target: unknown,
  patch: unknown,
  path: string[],
  kind: string,
): unknown {
  if (!isPlainObject(patch)) return clone(patch);
  if (patch.$patch === 'delete') return undefined;
  const base = patch.$patch === 'replace' ? {} : isPlainObject(target) ? { ...target } : {};
  const result: Record<string, unknown> = base;
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    const childPath = [...path, key];
    const current = result[key];
    if (value === null) delete result[key];
    else if (Array.isArray(value) && Array.isArray(current)) {
      const mergeKey = mergeKeyFor(childPath, kind);
      if (mergeKey) result[key] = mergeKeyedList(current, value, mergeKey, childPath, kind);
      else if (SET_LISTS.has(key)) result[key] = mergeSetList(current, value);
      else result[key] = clone(value);
    } else {
      const merged = strategicMerge(current, value, childPath, kind);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    }
  }
  applyDirectives(result, patch);
  return result;
}
