/**
 * The write pipeline shared by HTTP handlers and the simulated controllers: metadata bookkeeping
 * (uid, generation, managedFields), status-subresource scoping, defaulting, validation, optimistic
 * concurrency and "delete once the last finalizer is gone".
 */
import { randomUUID } from 'node:crypto';
import { applyDefaults } from './defaults.ts';
import {
  applyFields,
  type FieldContext,
  type Owner,
  readOwners,
  recordUpdate,
  type Scope,
  writeOwners,
} from './managed-fields.ts';
import { apiVersionOf, RESOURCES, type ResourceType } from './resources.ts';
import {
  alreadyExists,
  badRequest,
  forbidden,
  invalid,
  notFound,
  staleConflict,
} from './status.ts';
import type { Store } from './store.ts';
import { clone, isPlainObject, type KubeObject, nowTimestamp } from './types.ts';
import { validateCreate, validateUpdate } from './validation.ts';
import {
  randomSuffix,
  sameIgnoringTimes,
  shouldDeleteDuringUpdate,
  specChanged,
} from './write-rules.ts';

export interface WriteOptions {
  /** Field manager recorded in managedFields. */
  manager: string;
  subresource?: 'status';
  dryRun?: boolean;
  /** Controller writes skip client-facing validation (e.g. the scheduler binding spec.nodeName). */
  internal?: boolean;
  /** Write spec and status together (the pods/binding subresource does this). */
  allFields?: boolean;
}

const NAMESPACES = RESOURCES.find((r) => r.kind === 'Namespace') as ResourceType;

const SYSTEM_FIELDS = [
  'uid',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'generation',
  'managedFields',
] as const;

export class Objects {
  readonly store: Store;
  private ipCounter = 10;

  constructor(store: Store) {
    this.store = store;
  }

  allocateIp = (): string => {
    this.ipCounter++;
    return `10.96.${Math.floor(this.ipCounter / 250)}.${this.ipCounter % 250}`;
  };

  scopeOf(rt: ResourceType, subresource: string | undefined, allFields = false): Scope {
    if (!rt.statusSubresource || allFields) return 'all';
    return subresource === 'status' ? 'status' : 'main';
  }

  fieldContext(rt: ResourceType, opts: WriteOptions): FieldContext {
    const ctx: FieldContext = {
      manager: opts.manager,
      apiVersion: apiVersionOf(rt),
      time: nowTimestamp(),
      scope: this.scopeOf(rt, opts.subresource, opts.allFields),
    };
    if (opts.subresource) ctx.subresource = opts.subresource;
    return ctx;
  }

  require(rt: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const obj = this.store.get(rt, namespace, name);
    if (!obj) throw notFound(rt, name);
    return obj;
  }

  /** NamespaceLifecycle admission: 404 for a missing namespace, 403 while it terminates. */
  checkNamespace(rt: ResourceType, namespace: string | undefined, name: string): void {
    if (!rt.namespaced) return;
    const ns = this.store.get(NAMESPACES, undefined, namespace ?? '');
    if (!ns) throw notFound(NAMESPACES, namespace ?? '');
    if (ns.metadata.deletionTimestamp) {
      throw forbidden(
        rt,
        name,
        `unable to create new content in namespace ${namespace} because it is being terminated`,
      );
    }
  }

  /** Normalises a request body into an object of this resource type in this namespace. */
  coerce(rt: ResourceType, namespace: string | undefined, body: unknown): KubeObject {
    if (!isPlainObject(body))
      throw badRequest('the body of the request could not be decoded as an object');
    const { kind, apiVersion, metadata, ...rest } = clone(body);
    // Same key order as the real serializer: kind, apiVersion, metadata, then the rest.
    const obj = { kind, apiVersion, metadata, ...rest } as KubeObject;
    if (obj.kind !== undefined && obj.kind !== rt.kind) {
      throw badRequest(
        `the kind in the data (${String(obj.kind)}) does not match the expected kind (${rt.kind})`,
      );
    }
    if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersionOf(rt)) {
      throw badRequest(
        `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${apiVersionOf(rt)})`,
      );
    }
    obj.kind = rt.kind;
    obj.apiVersion = apiVersionOf(rt);
    obj.metadata = isPlainObject(obj.metadata) ? obj.metadata : {};
    if (rt.namespaced) {
      if (obj.metadata.namespace && obj.metadata.namespace !== namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      obj.metadata.namespace = namespace;
    } else delete obj.metadata.namespace;
    return obj;
  }

  create(
    rt: ResourceType,
    namespace: string | undefined,
    body: unknown,
    opts: WriteOptions,
    owners?: Owner[],
  ): KubeObject {
    const obj = this.coerce(rt, namespace, body);
    const meta = obj.metadata;
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomSuffix()}`;
    if (!opts.internal) validateCreate(rt, obj);
    this.checkNamespace(rt, namespace, meta.name ?? '');
    if (this.store.get(rt, namespace, meta.name ?? '')) throw alreadyExists(rt, meta.name ?? '');
    for (const f of [...SYSTEM_FIELDS, 'resourceVersion']) delete meta[f];
    meta.uid = randomUUID();
    meta.creationTimestamp = nowTimestamp();
    if (rt.generation) meta.generation = 1;
    if (rt.statusSubresource) delete obj.status;
    applyDefaults(obj, undefined, this.allocateIp);
    writeOwners(obj, owners ?? recordUpdate([], {}, obj, this.fieldContext(rt, opts)));
    if (opts.dryRun) return obj;
    return this.store.put(rt, obj, undefined);
  }

  /** PUT. Unconditional when the body has no resourceVersion, except for custom resources. */
  replace(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    opts: WriteOptions,
  ): KubeObject {
    const old = this.require(rt, namespace, name);
    const next = this.coerce(rt, namespace, body);
    if (next.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${next.metadata.name ?? ''}) does not match the name on the URL (${name})`,
      );
    }
    const rv = next.metadata.resourceVersion;
    if (!rv && rt.custom) {
      throw invalid(rt.group, rt.kind, name, [
        {
          reason: 'FieldValueInvalid',
          message: 'Invalid value: 0x0: must be specified for an update',
          field: 'metadata.resourceVersion',
        },
      ]);
    }
    return this.commit(rt, old, next, opts);
  }

  /** Server-side apply; creates the object when it does not exist. */
  apply(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    opts: WriteOptions,
    force: boolean,
  ): { object: KubeObject; created: boolean } {
    const applied = this.coerce(rt, namespace, body);
    if (applied.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${applied.metadata.name ?? ''}) does not match the name on the URL (${name})`,
      );
    }
    const old = this.store.get(rt, namespace, name);
    const live = old
      ? clone(old)
      : ({
          apiVersion: applied.apiVersion,
          kind: applied.kind,
          metadata: { name, namespace },
        } as KubeObject);
    if (
      old &&
      applied.metadata.resourceVersion &&
      applied.metadata.resourceVersion !== old.metadata.resourceVersion
    ) {
      throw staleConflict(rt, name);
    }
    const owners = applyFields(live, applied, this.fieldContext(rt, opts), force);
    if (!old) return { object: this.create(rt, namespace, live, opts, owners), created: true };
    return { object: this.commit(rt, old, live, opts, owners), created: false };
  }

  /** Read-modify-write used by controllers; returns undefined when the object is gone. */
  mutate(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    opts: WriteOptions,
    fn: (obj: KubeObject) => void,
  ): KubeObject | undefined {
    const old = this.store.get(rt, namespace, name);
    if (!old) return undefined;
    const next = clone(old);
    fn(next);
    return this.commit(rt, old, next, { ...opts, internal: opts.internal ?? true });
  }

  /** The common tail of every update: scoping, defaults, validation, generation, ownership, storage. */
  commit(
    rt: ResourceType,
    old: KubeObject,
    incoming: KubeObject,
    opts: WriteOptions,
    owners?: Owner[],
  ): KubeObject {
    const rv = incoming.metadata.resourceVersion;
    if (rv && rv !== old.metadata.resourceVersion) throw staleConflict(rt, old.metadata.name ?? '');
    const scope = this.scopeOf(rt, opts.subresource, opts.allFields);
    let next = clone(incoming);
    if (scope === 'status') next = { ...clone(old), status: incoming.status };
    if (scope === 'main') {
      if (old.status === undefined) delete next.status;
      else next.status = clone(old.status);
    }
    next.metadata = {
      ...next.metadata,
      name: old.metadata.name,
      namespace: old.metadata.namespace,
    };
    if (!rt.namespaced) delete next.metadata.namespace;
    for (const f of SYSTEM_FIELDS) {
      if (old.metadata[f] === undefined) delete next.metadata[f];
      else (next.metadata as Record<string, unknown>)[f] = clone(old.metadata[f]);
    }
    for (const list of ['finalizers', 'ownerReferences'] as const)
      if (next.metadata[list]?.length === 0) delete next.metadata[list];
    applyDefaults(next, old, this.allocateIp);
    if (!opts.internal) this.validateUpdate(rt, old, next);
    if (rt.generation && specChanged(rt, old, next))
      next.metadata.generation = (old.metadata.generation ?? 0) + 1;
    writeOwners(
      next,
      owners ?? recordUpdate(readOwners(old), old, next, this.fieldContext(rt, opts)),
    );
    if (sameIgnoringTimes(old, next)) return old;
    if (opts.dryRun) return next;
    const stored = this.store.put(rt, next, old);
    if (shouldDeleteDuringUpdate(stored)) this.store.remove(rt, stored);
    return stored;
  }

  private validateUpdate(rt: ResourceType, old: KubeObject, next: KubeObject): void {
    validateUpdate(rt, old, next);
    const added = (next.metadata.finalizers ?? []).filter(
      (f) => !(old.metadata.finalizers ?? []).includes(f),
    );
    if (old.metadata.deletionTimestamp && added.length > 0) {
      throw invalid(rt.group, rt.kind, old.metadata.name ?? '', [
        {
          reason: 'FieldValueForbidden',
          message: 'Forbidden: no new finalizers can be added if the object is being deleted',
          field: 'metadata.finalizers',
        },
      ]);
    }
  }
}
