/**
 * Server-side apply and managedFields bookkeeping (pure). Owners are keyed by
 * (manager, operation, subresource) like the real fieldmanager, so an Apply by "x" can conflict with
 * an earlier Update by "x". Conflicts arise only when the applied value differs from the live value.
 */
import {
  deletePath,
  type FieldPath,
  formatPath,
  fromFieldsV1,
  getPath,
  leafPaths,
  overlaps,
  setPath,
  toFieldsV1,
} from './field-paths.ts';
import { applyConflict, type StatusCause } from './status.ts';
import {
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

export function trackedPaths(obj: unknown, scope: Scope): FieldPath[] {
  return leafPaths(obj).filter((p) => {
    const [top, second] = p;
    if (top === 'apiVersion' || top === 'kind' || p.length === 0) return false;
    if (top === 'metadata' && (second === undefined || SYSTEM_META.has(second))) return false;
    if (scope === 'main') return top !== 'status';
    if (scope === 'status') return top === 'status';
    return true;
  });
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

function withoutOverlaps(paths: FieldPath[], taken: FieldPath[]): FieldPath[] {
  return paths.filter((p) => !taken.some((t) => overlaps(p, t)));
}

/** Ownership after a non-apply write: the writer takes every field it changed; removed fields lose all owners. */
export function recordUpdate(
  owners: Owner[],
  before: unknown,
  after: unknown,
  ctx: FieldContext,
): Owner[] {
  const changed = trackedPaths(after, ctx.scope).filter(
    (p) => !deepEqual(getPath(before, p), getPath(after, p)),
  );
  const removed = trackedPaths(before, ctx.scope).filter((p) => getPath(after, p) === undefined);
  const next = owners.map((o) => ({
    ...o,
    paths: withoutOverlaps(o.paths, [...changed, ...removed]),
  }));
  if (changed.length > 0) {
    const mine = ownerFor(next, ctx, 'Update');
    mine.paths = [...mine.paths, ...changed];
  }
  return next.filter((o) => o.paths.length > 0);
}

function printManager(o: Owner): string {
  let s = JSON.stringify(o.manager);
  if (o.subresource) s += ` with subresource ${JSON.stringify(o.subresource)}`;
  return o.operation === 'Update' ? `${s} using ${o.apiVersion} at ${o.time}` : s;
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
    for (const p of paths) {
      if (
        owner.paths.some((q) => overlaps(p, q)) &&
        !appliedMatches(getPath(applied, p), getPath(live, p))
      ) {
        conflicts.push({ owner, path: p });
      }
    }
  }
  return conflicts;
}

/** Recursive map merge where the applied value wins on every non-map leaf. */
function mergeApplied(live: Record<string, unknown>, applied: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(applied)) {
    if (isPlainObject(v) && isPlainObject(live[k]))
      mergeApplied(live[k] as Record<string, unknown>, v);
    else setPath(live, [k], v);
  }
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
  const paths = trackedPaths(applied, ctx.scope);
  const conflicts = findConflicts(owners, live, applied, paths, me);
  if (conflicts.length > 0 && !force) {
    const causes: StatusCause[] = conflicts.map((c) => ({
      reason: 'FieldManagerConflict',
      message: `conflict with ${printManager(c.owner)}`,
      field: formatPath(c.path),
    }));
    throw applyConflict(conflictMessage(conflicts), causes);
  }
  for (const c of conflicts) c.owner.paths = withoutOverlaps(c.owner.paths, [c.path]);
  const dropped = me.paths.filter((q) => !paths.some((p) => overlaps(p, q)));
  for (const q of dropped) {
    if (!owners.some((o) => o !== me && o.paths.some((r) => overlaps(q, r)))) deletePath(live, q);
  }
  mergeApplied(live as unknown as Record<string, unknown>, scopedBody(applied, ctx.scope));
  me.paths = paths;
  return owners.filter((o) => o.paths.length > 0);
}
