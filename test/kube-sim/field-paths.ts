/**
 * Field paths for server-side apply ownership, after structured-merge-diff: maps are followed key by
 * key; associative lists (field-schema.ts) item by item, an item being named by its key fields
 * (`k:{"port":80,"protocol":"TCP"}`) or, in a set, by its value (`v:"x"`); every other list is
 * atomic (owned as a whole, like `+listType=atomic`). A keyed item's own path is a member too
 * (FieldsV1 `"."`): it records who put the item there and owns the item, not its fields.
 *
 * Segments are strings: field names as they are, item segments in their FieldsV1 spelling. Which one
 * a segment is follows from the value it is applied to (a map or a list), so a map key that happens
 * to look like `v:x` still resolves as a key; only its FieldsV1 spelling would differ.
 */
import type { FieldSchema } from './field-schema.ts';
import { clone, deepEqual, isPlainObject } from './types.ts';

export type FieldPath = string[];

/** A list the schema calls associative, but whose items cannot be told apart by key. */
export class FieldPathError extends Error {}

export function pathKey(path: FieldPath): string {
  return JSON.stringify(path);
}

export function isItemSegment(seg: string | undefined): boolean {
  return seg !== undefined && (seg.startsWith('k:{') || seg.startsWith('v:'));
}

/** Paths ending in a keyed item or set value: they own the item's existence only. */
export function isItemPath(path: FieldPath): boolean {
  return isItemSegment(path[path.length - 1]);
}

function keyOf(item: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, item[k]]));
}

/** `[port=80,protocol="TCP"]` / `[="x"]`, structured-merge-diff's PathElement notation. */
function formatSegment(seg: string): string {
  if (seg.startsWith('v:')) return `[=${seg.slice(2)}]`;
  if (!seg.startsWith('k:{')) return `.${seg}`;
  const key = JSON.parse(seg.slice(2)) as Record<string, unknown>;
  return `[${Object.entries(key)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}]`;
}

/** The real server's notation in conflict messages: `.spec.replicas`, `.spec.ports[port=80,protocol="TCP"].name`. */
export function formatPath(path: FieldPath): string {
  return path.map(formatSegment).join('');
}

/**
 * Item segments of an associative list, or undefined when `schema` makes it atomic. An item that
 * lacks a key field, or two items with one key, make the list unusable: `strict` (an apply body)
 * throws the real server's message; otherwise (a stored object) the list counts as atomic.
 */
function itemSegments(
  list: unknown[],
  schema: FieldSchema,
  strict: boolean,
  at: FieldPath,
): string[] | undefined {
  const { keys } = schema;
  if (!keys && !schema.set) return undefined;
  const segments: string[] = [];
  for (const [i, item] of list.entries()) {
    let seg: string;
    if (keys) {
      const missing = isPlainObject(item) ? keys.find((k) => item[k] === undefined) : keys[0];
      if (missing !== undefined) {
        if (!strict) return undefined;
        throw new FieldPathError(
          `${formatPath(at)}: element ${i}: associative list with keys has an element that omits key field ${JSON.stringify(missing)} (and doesn't have default value)`,
        );
      }
      seg = `k:${JSON.stringify(keyOf(item as Record<string, unknown>, keys))}`;
    } else seg = `v:${JSON.stringify(item)}`;
    if (segments.includes(seg)) {
      if (!strict) return undefined;
      const what = keys ? `key ${formatSegment(seg)}` : `value ${seg.slice(2)}`;
      throw new FieldPathError(`${formatPath(at)}: duplicate entries for ${what}`);
    }
    segments.push(seg);
  }
  return segments;
}

/**
 * The fields a value sets. Non-empty maps are descended into; associative lists give one path per
 * item plus its fields; scalars, atomic lists and maps, and empty maps are leaves.
 */
export function leafPaths(
  value: unknown,
  schema: FieldSchema = {},
  strict = false,
  prefix: FieldPath = [],
): FieldPath[] {
  if (Array.isArray(value)) {
    const segments = itemSegments(value, schema, strict, prefix);
    if (!segments) return [prefix];
    return segments.flatMap((seg, i) => {
      const at = [...prefix, seg];
      if (!schema.keys) return [at];
      return [at, ...leafPaths(value[i], { fields: schema.fields ?? {} }, strict, at)];
    });
  }
  if (
    !isPlainObject(value) ||
    schema.atomic ||
    (Object.keys(value).length === 0 && prefix.length > 0)
  )
    return [prefix];
  return Object.entries(value).flatMap(([k, v]) =>
    v === undefined ? [] : leafPaths(v, schema.fields?.[k] ?? {}, strict, [...prefix, k]),
  );
}

/** Parsed item segments: every write looks items up by segment many times. Bounded, not LRU. */
const parsedSegments = new Map<string, unknown>();

function parseSegment(seg: string): unknown {
  let value = parsedSegments.get(seg);
  if (value === undefined) {
    if (parsedSegments.size >= 10_000) parsedSegments.clear();
    value = JSON.parse(seg.slice(2)) as unknown;
    parsedSegments.set(seg, value);
  }
  return value;
}

/** Index of the item `seg` names in `list`, or -1. */
export function itemIndex(list: unknown[], seg: string): number {
  if (seg.startsWith('v:')) {
    const value = parseSegment(seg);
    return list.findIndex((item) => deepEqual(item, value));
  }
  if (!seg.startsWith('k:{')) return -1;
  const key = parseSegment(seg) as Record<string, unknown>;
  const names = Object.keys(key);
  return list.findIndex(
    (item) => isPlainObject(item) && names.every((k) => deepEqual(item[k], key[k])),
  );
}

/** The segment of `item` in a list with `schema` (an apply body's lists are checked beforehand). */
export function itemSegment(item: unknown, schema: FieldSchema): string {
  return schema.keys && isPlainObject(item)
    ? `k:${JSON.stringify(keyOf(item, schema.keys))}`
    : `v:${JSON.stringify(item)}`;
}

export function getPath(obj: unknown, path: FieldPath): unknown {
  let cur: unknown = obj;
  for (const seg of path) {
    if (Array.isArray(cur) && isItemSegment(seg)) cur = cur[itemIndex(cur, seg)];
    else if (isPlainObject(cur)) cur = cur[seg];
    else return undefined;
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

function isEmpty(value: unknown): boolean {
  return Array.isArray(value)
    ? value.length === 0
    : isPlainObject(value) && Object.keys(value).length === 0;
}

/**
 * Deletes the field or list item and prunes the maps and lists it leaves empty (below the top level),
 * as the apiserver's serializer drops them (`omitempty`). The key fields of an item that stays are
 * kept: they name it.
 */
export function deletePath(obj: Record<string, unknown>, path: FieldPath): void {
  removeAt(obj, path, 0, []);
}

function removeAt(cur: unknown, path: FieldPath, depth: number, itemKeys: string[]): void {
  const seg = path[depth] as string;
  const last = depth === path.length - 1;
  if (Array.isArray(cur)) {
    const i = isItemSegment(seg) ? itemIndex(cur, seg) : -1;
    if (i < 0) return;
    if (last) cur.splice(i, 1);
    else {
      const keys = seg.startsWith('k:{') ? Object.keys(parseSegment(seg) as object) : [];
      removeAt(cur[i], path, depth + 1, keys);
    }
    return;
  }
  if (!isPlainObject(cur)) return;
  if (last) {
    if (!itemKeys.includes(seg)) delete cur[seg];
    return;
  }
  removeAt(cur[seg], path, depth + 1, []);
  if (depth >= 1 && isEmpty(cur[seg])) delete cur[seg];
}

/**
 * True when the two fields cannot be owned apart: one path is a prefix of (or equal to) the other.
 * An item path is the exception: owning an item's existence is not owning its fields.
 */
export function overlaps(a: FieldPath, b: FieldPath): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  if (a.length === b.length) return true;
  return !isItemPath(a.length < b.length ? a : b);
}

/** Keys of a path's prefixes, shortest first: `a`, `a\0b`, … */
function prefixKeys(path: FieldPath): string[] {
  const keys: string[] = [];
  let key = '';
  for (const [i, seg] of path.entries()) {
    key = i === 0 ? seg : `${key}\u0000${seg}`;
    keys.push(key);
  }
  return keys;
}

/**
 * `q => paths.some((p) => overlaps(q, p))` in time linear in q's length: objects with long lists
 * own hundreds of paths, and the pairwise test made every write quadratic.
 */
export function overlapsAny(paths: FieldPath[]): (q: FieldPath) => boolean {
  const exact = new Set<string>();
  const strictPrefixes = new Set<string>();
  for (const p of paths) {
    const keys = prefixKeys(p);
    exact.add(keys.pop() ?? '');
    for (const k of keys) strictPrefixes.add(k);
  }
  return (q) => {
    const keys = prefixKeys(q);
    const whole = keys.pop() ?? '';
    if (exact.has(whole)) return true;
    // Some p is a strict prefix of q (and owns more than an item's existence)…
    if (keys.some((k, i) => !isItemSegment(q[i]) && exact.has(k))) return true;
    // …or q is a strict prefix of some p.
    return !isItemPath(q) && strictPrefixes.has(whole);
  };
}

/** Encodes paths as a FieldsV1 tree: `{"f:spec":{"f:ports":{"k:{\"port\":80}":{".":{}}}}}`. */
export function toFieldsV1(paths: FieldPath[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const path of paths) {
    let cur = root;
    for (const seg of path) {
      const key = isItemSegment(seg) ? seg : `f:${seg}`;
      if (!isPlainObject(cur[key])) cur[key] = {};
      cur = cur[key] as Record<string, unknown>;
    }
    if (path[path.length - 1]?.startsWith('k:{')) cur['.'] = {};
  }
  return sorted(root);
}

/** Key order of the real serializer: `.` first, then sorted. */
function sorted(tree: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(tree).sort((a, b) =>
    a === '.' ? -1 : b === '.' ? 1 : a < b ? -1 : a > b ? 1 : 0,
  );
  return Object.fromEntries(
    keys.map((k) => [k, isPlainObject(tree[k]) ? sorted(tree[k] as Record<string, unknown>) : {}]),
  );
}

export function fromFieldsV1(tree: unknown, prefix: FieldPath = []): FieldPath[] {
  if (!isPlainObject(tree)) return [];
  const children = Object.keys(tree).filter((k) => k.startsWith('f:') || isItemSegment(k));
  const self = '.' in tree || (children.length === 0 && prefix.length > 0) ? [prefix] : [];
  return [
    ...self,
    ...children.flatMap((k) =>
      fromFieldsV1(tree[k], [...prefix, k.startsWith('f:') ? k.slice(2) : k]),
    ),
  ];
}
