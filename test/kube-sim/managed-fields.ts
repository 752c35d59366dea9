/**
 * Server-side apply and managedFields bookkeeping (pure). Owners are keyed by
 * (manager, operation, subresource) like the real fieldmanager, so an Apply by "x" can conflict with
 * an earlier Update by "x". Conflicts arise only when the applied value differs from the live value.
 * Associative lists (field-schema.ts) merge item by item: an apply keeps items other managers put
 * there and removes only items the applier owned before and no longer lists.
 */
import {
  deletePath,
  type FieldPath,
  FieldPathError,
  formatPath,
  fromFieldsV1,
  getPath,
  isItemPath,
  itemIndex,
  itemSegment,
  leafPaths,
  overlapsAny,
  pathKey,
  toFieldsV1,
} from './field-paths.ts';
import { type FieldSchema, schemaFor } from './field-schema.ts';
import { applyConflict, internalError, type StatusCause } from './status.ts';
import {
  clone,
  deepEqual,
  isPlainObject,
  type JsonObject,
  type KubeObject,
  type ManagedFieldsEntry,
} from './types.ts';

export interface Owner {
  manager: string;
  operation: 'Apply' | 'Update';
  subresource?: string;
  apiVersion: string;
  time: string;
  paths: FieldPath[];
}

/** Which part of the object a request may touch: `main` excludes status, `status` is only status. */
export type Scope = 'main' | 'status' | 'all';

export interface FieldContext {
  manager: string;
  subresource?: string;
  apiVersion: string;
  time: string;
  scope: Scope;
}

const SYSTEM_META = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'selfLink',
  'generateName',
]);

/**
 * The fields of `obj` that ownership is tracked for. `schema` defaults to that of `obj`'s kind;
 * `strict` (apply bodies) rejects associative lists whose items cannot be keyed.
 */
export function trackedPaths(
  obj: unknown,
  scope: Scope,
  schema: FieldSchema = schemaFor(kindOf(obj)),
  strict = false,
): FieldPath[] {
  if (!isPlainObject(obj)) return [];
  // Scoped before the walk: a status write must not walk the whole spec.
  const scoped: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind') continue;
    if ((scope === 'main' && k === 'status') || (scope === 'status' && k !== 'status')) continue;
    scoped[k] =
      k === 'metadata' && isPlainObject(v)
        ? Object.fromEntries(Object.entries(v).filter(([m]) => !SYSTEM_META.has(m)))
        : v;
  }
  return leafPaths(scoped, schema, strict).filter((p) => p.length > 1 || p[0] !== 'metadata');
}

function kindOf(obj: unknown): string | undefined {
  return isPlainObject(obj) && typeof obj.kind === 'string' ? obj.kind : undefined;
}

export function readOwners(obj: KubeObject | undefined): Owner[] {
  return (obj?.metadata.managedFields ?? []).map((e) => {
    const owner: Owner = {
      manager: e.manager,
      operation: e.operation,
      apiVersion: e.apiVersion,
      time: e.time,
      paths: fromFieldsV1(e.fieldsV1),
    };
    if (e.subresource) owner.subresource = e.subresource;
    return owner;
  });
}

export function writeOwners(obj: KubeObject, owners: Owner[]): void {
  const entries: ManagedFieldsEntry[] = owners
    .filter((o) => o.paths.length > 0)
    .map((o) => {
      const e: ManagedFieldsEntry = {
        manager: o.manager,
        operation: o.operation,
        apiVersion: o.apiVersion,
        time: o.time,
        fieldsType: 'FieldsV1',
        fieldsV1: toFieldsV1(o.paths) as JsonObject,
      };
      if (o.subresource) e.subresource = o.subresource;
      return e;
    });
  if (entries.length > 0) obj.metadata.managedFields = entries;
  else delete obj.metadata.managedFields;
}

function sameOwner(
  o: Owner,
  manager: string,
  operation: string,
  subresource: string | undefined,
): boolean {
  return (
    o.manager === manager &&
    o.operation === operation &&
    (o.subresource ?? '') === (subresource ?? '')
  );
}

function ownerFor(owners: Owner[], ctx: FieldContext, operation: 'Apply' | 'Update'): Owner {
  let owner = owners.find((o) => sameOwner(o, ctx.manager, operation, ctx.subresource));
  if (!owner) {
    owner = {
      manager: ctx.manager,
      operation,
      apiVersion: ctx.apiVersion,
      time: ctx.time,
      paths: [],
    };
    if (ctx.subresource) owner.subresource = ctx.subresource;
    owners.push(owner);
  }
  owner.time = ctx.time;
  owner.apiVersion = ctx.apiVersion;
  return owner;
}

function withoutOverlaps(paths: FieldPath[], taken: (q: FieldPath) => boolean): FieldPath[] {
  return paths.filter((p) => !taken(p));
}

/** Ownership after a non-apply write: the writer takes every field it changed; removed fields lose all owners. */
export function recordUpdate(
  owners: Owner[],
  before: unknown,
  after: unknown,
  ctx: FieldContext,
): Owner[] {
  const schema = schemaFor(kindOf(after) ?? kindOf(before));
  // An item changes hands only when it appears; a change inside it goes to the changed fields.
  const changed = trackedPaths(after, ctx.scope, schema).filter((p) =>
    isItemPath(p)
      ? getPath(before, p) === undefined
      : !deepEqual(getPath(before, p), getPath(after, p)),
  );
  const removed = trackedPaths(before, ctx.scope, schema).filter(
    (p) => getPath(after, p) === undefined,
  );
  const taken = overlapsAny([...changed, ...removed]);
  const next = owners.map((o) => ({ ...o, paths: withoutOverlaps(o.paths, taken) }));
  if (changed.length > 0) {
    const mine = ownerFor(next, ctx, 'Update');
    mine.paths = [...mine.paths, ...changed];
  }
  return next.filter((o) => o.paths.length > 0);
}

function printManager(o: Owner): string {
  let s = JSON.stringify(o.manager);
  if (o.subresource) s += ` with subresource ${JSON.stringify(o.subresource)}`;
  // The real message names no time: the manager identity it is printed from has none.
  return o.operation === 'Update' ? `${s} using ${o.apiVersion}` : s;
}

interface Conflict {
  owner: Owner;
  path: FieldPath;
}

/** Message text of k8s.io/apiserver fieldmanager `getConflictMessage`. */
function conflictMessage(conflicts: Conflict[]): string {
  const [first] = conflicts;
  if (conflicts.length === 1 && first) {
    return `Apply failed with 1 conflict: conflict with ${printManager(first.owner)}: ${formatPath(first.path)}`;
  }
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) {
    const key = printManager(c.owner);
    byManager.set(key, [...(byManager.get(key) ?? []), formatPath(c.path)]);
  }
  const lines = [...byManager.keys()]
    .sort()
    .flatMap((m) => [`conflicts with ${m}:`, ...(byManager.get(m) ?? []).map((p) => `- ${p}`)]);
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

/**
 * The applied value agrees with the live one if every field it sets is equal, ignoring fields only
 * the live object has (server defaults inside atomic lists such as `imagePullPolicy`). Stands in
 * for the per-field comparison real associative lists get.
 */
export function appliedMatches(applied: unknown, live: unknown): boolean {
  if (Array.isArray(applied)) {
    return (
      Array.isArray(live) &&
      applied.length === live.length &&
      applied.every((v, i) => appliedMatches(v, live[i]))
    );
  }
  if (isPlainObject(applied)) {
    return (
      isPlainObject(live) && Object.entries(applied).every(([k, v]) => appliedMatches(v, live[k]))
    );
  }
  return deepEqual(applied, live);
}

function findConflicts(
  owners: Owner[],
  live: unknown,
  applied: unknown,
  paths: FieldPath[],
  me: Owner,
): Conflict[] {
  const conflicts: Conflict[] = [];
  for (const owner of owners) {
    if (owner === me) continue;
    const owns = overlapsAny(owner.paths);
    // Owning an item is owning its existence: applying the same key again changes nothing there.
    for (const p of paths.filter((q) => !isItemPath(q))) {
      if (owns(p) && !appliedMatches(getPath(applied, p), getPath(live, p))) {
        conflicts.push({ owner, path: p });
      }
    }
  }
  return conflicts;
}

/**
 * Recursive merge where the applied value wins on every leaf, atomic list and atomic map. Associative lists keep
 * the live items in their order, merge applied items into the live item with their key and append
 * new ones in applied order (structured-merge-diff's order).
 */
function mergeApplied(
  live: Record<string, unknown>,
  applied: Record<string, unknown>,
  schema: FieldSchema,
): void {
  for (const [k, v] of Object.entries(applied)) {
    const field = schema.fields?.[k] ?? {};
    const cur = live[k];
    if (isPlainObject(v) && isPlainObject(cur) && !field.atomic) mergeApplied(cur, v, field);
    else if (Array.isArray(v) && Array.isArray(cur) && (field.keys || field.set))
      live[k] = mergeItems(cur, v, field);
    else live[k] = clone(v);
  }
}

/** `live` is the caller's working copy: merged into in place. */
function mergeItems(live: unknown[], applied: unknown[], schema: FieldSchema): unknown[] {
  const out = live;
  for (const item of applied) {
    const i = itemIndex(out, itemSegment(item, schema));
    const cur = out[i];
    if (i < 0) out.push(clone(item));
    else if (isPlainObject(cur) && isPlainObject(item))
      mergeApplied(cur, item, { fields: schema.fields ?? {} });
  }
  return out;
}

/** The part of an apply body that the request's scope may write, minus system metadata. */
function scopedBody(applied: unknown, scope: Scope): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!isPlainObject(applied)) return out;
  for (const [k, v] of Object.entries(applied)) {
    if (k === 'apiVersion' || k === 'kind') continue;
    if (k === 'metadata') {
      if (scope !== 'status' && isPlainObject(v)) {
        out.metadata = Object.fromEntries(Object.entries(v).filter(([m]) => !SYSTEM_META.has(m)));
      }
    } else if (scope === 'all' || (scope === 'status') === (k === 'status')) out[k] = v;
  }
  return out;
}

/**
 * Applies `applied` over `live` (mutated in place) for `ctx.manager`. Throws a 409 Conflict
 * StatusError unless `force`; with force, ownership of the conflicting fields moves to the applier.
 * Returns the new owner list.
 */
export function applyFields(
  live: KubeObject,
  applied: unknown,
  ctx: FieldContext,
  force: boolean,
): Owner[] {
  const owners = readOwners(live).map((o) => ({ ...o }));
  const me = ownerFor(owners, ctx, 'Apply');
  const schema = schemaFor(live.kind);
  let paths: FieldPath[];
  try {
    paths = trackedPaths(applied, ctx.scope, schema, true);
  } catch (e) {
    // 1.20 answers a body its typed converter rejects with a bare 500 (no reason).
    if (e instanceof FieldPathError)
      throw internalError(`failed to create typed patch object: ${e.message}`);
    throw e;
  }
  const conflicts = findConflicts(owners, live, applied, paths, me);
  if (conflicts.length > 0 && !force) {
    const causes: StatusCause[] = conflicts.map((c) => ({
      reason: 'FieldManagerConflict',
      message: `conflict with ${printManager(c.owner)}`,
      field: formatPath(c.path),
    }));
    throw applyConflict(conflictMessage(conflicts), causes);
  }
  for (const c of conflicts) c.owner.paths = withoutOverlaps(c.owner.paths, overlapsAny([c.path]));
  // Usually the applier sends what it sent last time: only paths it no longer sends can go.
  const sent = new Set(paths.map(pathKey));
  const unsent = me.paths.filter((q) => !sent.has(pathKey(q)));
  if (unsent.length > 0) {
    const applies = overlapsAny(paths);
    const othersOwn = overlapsAny(owners.filter((o) => o !== me).flatMap((o) => o.paths));
    for (const q of unsent) if (!applies(q) && !othersOwn(q)) deletePath(live, q);
  }
  mergeApplied(live as unknown as Record<string, unknown>, scopedBody(applied, ctx.scope), schema);
  me.paths = paths;
  // A removed item takes its fields' ownership with it, whoever held them.
  for (const o of owners) o.paths = o.paths.filter((p) => getPath(live, p) !== undefined);
  return owners.filter((o) => o.paths.length > 0);
}
