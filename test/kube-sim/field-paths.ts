/**
 * Field paths for server-side apply ownership. Simplification of structured-merge-diff: maps are
 * followed key by key, every list is atomic (owned as a whole, like `+listType=atomic`), so
 * `.spec.containers` is one field. Real associative lists (containers by name) are finer-grained.
 */
import { clone, isPlainObject } from './types.ts';

export type FieldPath = string[];

export function pathKey(path: FieldPath): string {
  return JSON.stringify(path);
}

/** The real server's notation in conflict messages: `.spec.replicas`, `.metadata.labels.app`. */
export function formatPath(path: FieldPath): string {
  return path.map((seg) => `.${seg}`).join('');
}

/** Non-empty maps are descended into; scalars, lists and empty maps are leaves. */
export function leafPaths(value: unknown, prefix: FieldPath = []): FieldPath[] {
  if (!isPlainObject(value) || (Object.keys(value).length === 0 && prefix.length > 0))
    return [prefix];
  return Object.entries(value).flatMap(([k, v]) =>
    v === undefined ? [] : leafPaths(v, [...prefix, k]),
  );
}

export function getPath(obj: unknown, path: FieldPath): unknown {
  let cur: unknown = obj;
  for (const seg of path) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[seg];
  }
  return cur;
}

export function setPath(obj: Record<string, unknown>, path: FieldPath, value: unknown): void {
  let cur = obj;
  for (const seg of path.slice(0, -1)) {
    if (!isPlainObject(cur[seg])) cur[seg] = {};
    cur = cur[seg] as Record<string, unknown>;
  }
  cur[path[path.length - 1] as string] = clone(value);
}

/** Deletes the field and prunes maps it leaves empty (below the top level). */
export function deletePath(obj: Record<string, unknown>, path: FieldPath): void {
  const parents: Record<string, unknown>[] = [];
  let cur: unknown = obj;
  for (const seg of path.slice(0, -1)) {
    if (!isPlainObject(cur)) return;
    parents.push(cur);
    cur = cur[seg];
  }
  if (!isPlainObject(cur)) return;
  delete cur[path[path.length - 1] as string];
  for (let i = path.length - 2; i >= 1; i--) {
    const parent = parents[i] as Record<string, unknown>;
    const child = parent[path[i] as string];
    if (isPlainObject(child) && Object.keys(child).length === 0) delete parent[path[i] as string];
    else break;
  }
}

/** True when one path is a prefix of (or equal to) the other: the two fields cannot be owned apart. */
export function overlaps(a: FieldPath, b: FieldPath): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Encodes paths as a FieldsV1 tree: `{"f:spec":{"f:replicas":{}}}`. */
export function toFieldsV1(paths: FieldPath[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const path of paths) {
    let cur = root;
    for (const seg of path) {
      const key = `f:${seg}`;
      if (!isPlainObject(cur[key])) cur[key] = {};
      cur = cur[key] as Record<string, unknown>;
    }
  }
  return root;
}

export function fromFieldsV1(tree: unknown, prefix: FieldPath = []): FieldPath[] {
  if (!isPlainObject(tree)) return [];
  const keys = Object.keys(tree).filter((k) => k.startsWith('f:'));
  if (keys.length === 0) return prefix.length > 0 ? [prefix] : [];
  return keys.flatMap((k) => fromFieldsV1(tree[k], [...prefix, k.slice(2)]));
}
