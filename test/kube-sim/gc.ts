/**
 * Simulated kube-controller-manager parts: the garbage collector (ownerReferences, `orphan` and
 * `foregroundDeletion` finalizers) and the namespace controller. Level-triggered: every store event
 * schedules a sweep `delayMs` later, so cascades happen asynchronously like the real GC.
 * Either can be switched off to reproduce envtest / a bare apiserver (objects then stay Terminating).
 */
import { deleteObject } from './deletion.ts';
import type { Objects } from './objects.ts';
import { RESOURCES, type ResourceType } from './resources.ts';
import type { StoreEvent } from './store.ts';
import { deepEqual, type KubeObject, type OwnerReference } from './types.ts';

export interface ControllerOptions {
  /** Run the garbage collector. @default true */
  garbageCollector?: boolean;
  /** Run the namespace controller (empties and removes Terminating namespaces). @default true */
  namespaceController?: boolean;
  /** Delay between a change and the sweep that reacts to it. @default 5 */
  delayMs?: number;
}

/**
 * Only deletions and owner references change what the collectors do; status writes (most events)
 * do not. Sweeping after every event made the simulator spend most of a bench in sweeps.
 */
export function mayNeedCollection(e: StoreEvent): boolean {
  const m = e.object.metadata;
  if (e.type === 'DELETED' || m.deletionTimestamp) return true;
  return !!m.ownerReferences && !deepEqual(m.ownerReferences, e.previous?.metadata.ownerReferences);
}

interface Entry {
  rt: ResourceType;
  obj: KubeObject;
}

interface Location {
  rt: ResourceType;
  namespace: string | undefined;
  name: string;
}

const NAMESPACE = RESOURCES.find((r) => r.kind === 'Namespace') as ResourceType;
const MANAGER = { manager: 'generic-garbage-collector' };

/**
 * Incremental, like the real collector's dependency graph: store events keep a uid index and an
 * owner → dependents index, and mark only the objects whose collection may have changed dirty. A
 * sweep looks at those alone; sweeping the whole store after every change was quadratic and
 * dominated the 5,000-runtime bench.
 */
export class Controllers {
  readonly options: Required<ControllerOptions>;
  private readonly objects: Objects;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly byUid = new Map<string, Location>();
  private readonly dependentsOf = new Map<string, Set<string>>();
  private dirty = new Set<string>();

  constructor(objects: Objects, options: ControllerOptions = {}) {
    this.objects = objects;
    this.options = { garbageCollector: true, namespaceController: true, delayMs: 5, ...options };
  }

  start(): void {
    for (const rt of RESOURCES) {
      for (const obj of this.objects.store.scan(rt)) {
        this.index(rt, obj, undefined);
        this.dirty.add(obj.metadata.uid ?? '');
      }
    }
    this.unsubscribe = this.objects.store.subscribe((e) => this.observe(e));
    if (this.dirty.size > 0) this.schedule();
  }

  stop(): void {
    this.unsubscribe?.();
    clearTimeout(this.timer);
  }

  private observe(e: StoreEvent): void {
    const uid = e.object.metadata.uid ?? '';
    if (e.type === 'DELETED') this.unindex(e.object);
    else this.index(e.resource, e.object, e.previous);
    if (!mayNeedCollection(e)) return;
    this.dirty.add(uid);
    // Dependents may now be dangling, orphaned, or waiting on a foreground deletion…
    for (const d of this.dependentsOf.get(uid) ?? []) this.dirty.add(d);
    // …and owners may be waiting for their last dependent to go.
    for (const r of e.object.metadata.ownerReferences ?? []) this.dirty.add(r.uid);
    const ns = e.object.metadata.namespace;
    if (e.type === 'DELETED' && e.resource.namespaced && ns) {
      const namespace = this.objects.store.get(NAMESPACE, undefined, ns);
      if (namespace?.metadata.deletionTimestamp) this.dirty.add(namespace.metadata.uid ?? '');
    }
    this.schedule();
  }

  private index(rt: ResourceType, obj: KubeObject, previous: KubeObject | undefined): void {
    const uid = obj.metadata.uid ?? '';
    this.byUid.set(uid, { rt, namespace: obj.metadata.namespace, name: obj.metadata.name ?? '' });
    for (const r of previous?.metadata.ownerReferences ?? [])
      this.dependentsOf.get(r.uid)?.delete(uid);
    for (const r of obj.metadata.ownerReferences ?? []) {
      const set = this.dependentsOf.get(r.uid) ?? new Set<string>();
      this.dependentsOf.set(r.uid, set.add(uid));
    }
  }

  private unindex(obj: KubeObject): void {
    const uid = obj.metadata.uid ?? '';
    this.byUid.delete(uid);
    for (const r of obj.metadata.ownerReferences ?? []) {
      const set = this.dependentsOf.get(r.uid);
      set?.delete(uid);
      if (set?.size === 0 && !this.byUid.has(r.uid)) this.dependentsOf.delete(r.uid);
    }
  }

  private entry(uid: string): Entry | undefined {
    const at = this.byUid.get(uid);
    const obj = at && this.objects.store.get(at.rt, at.namespace, at.name);
    return at && obj ? { rt: at.rt, obj } : undefined;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.sweep();
    }, this.options.delayMs);
  }

  /** Look at every object marked since the last sweep (changes made here mark the next one). */
  sweep(): void {
    const batch = this.dirty;
    this.dirty = new Set();
    for (const uid of batch) {
      const e = this.entry(uid);
      if (!e) continue;
      try {
        if (this.options.garbageCollector) {
          const dependents = [...(this.dependentsOf.get(uid) ?? [])]
            .map((d) => this.entry(d))
            .filter((d): d is Entry => d !== undefined);
          this.collect(e, dependents);
        }
        if (
          this.options.namespaceController &&
          e.rt === NAMESPACE &&
          e.obj.metadata.deletionTimestamp
        )
          this.drainNamespace(e.obj);
      } catch {
        // Raced with another writer; the write that raced marks it for the next sweep.
        this.dirty.add(uid);
        this.schedule();
      }
    }
  }

  private ownerOf(dep: KubeObject, ref: OwnerReference): Entry | undefined {
    const owner = this.entry(ref.uid);
    if (!owner || (owner.rt.namespaced && owner.obj.metadata.namespace !== dep.metadata.namespace))
      return undefined;
    return owner;
  }

  private collect(e: Entry, dependents: Entry[]): void {
    const { obj, rt } = e;
    const m = obj.metadata;
    const finalizers = m.finalizers ?? [];
    if (m.deletionTimestamp && finalizers.includes('orphan')) {
      for (const d of dependents) this.dropOwnerRefs(d, [m.uid ?? '']);
      this.removeFinalizer(e, 'orphan');
    }
    if (
      m.deletionTimestamp &&
      finalizers.includes('foregroundDeletion') &&
      dependents.length === 0
    ) {
      this.removeFinalizer(e, 'foregroundDeletion');
    }
    const refs = m.ownerReferences ?? [];
    if (refs.length === 0 || m.deletionTimestamp) return;
    const owners = refs.map((r) => this.ownerOf(obj, r));
    const solid = owners.filter((o) => o && !o.obj.metadata.deletionTimestamp);
    const waiting = owners.filter(
      (o) =>
        o?.obj.metadata.deletionTimestamp &&
        (o.obj.metadata.finalizers ?? []).includes('foregroundDeletion'),
    );
    const dangling = refs.filter((_, i) => owners[i] === undefined).map((r) => r.uid);
    if (solid.length > 0) {
      const drop = [...dangling, ...waiting.map((o) => o?.obj.metadata.uid ?? '')];
      if (drop.length > 0) this.dropOwnerRefs(e, drop);
      return;
    }
    if (dangling.length === refs.length) {
      deleteObject(this.objects, rt, m.namespace, m.name ?? '', {
        propagationPolicy: 'Background',
      });
    } else if (waiting.length > 0) {
      const blocking = refs.some(
        (r) => r.blockOwnerDeletion && waiting.some((w) => w?.obj.metadata.uid === r.uid),
      );
      deleteObject(this.objects, rt, m.namespace, m.name ?? '', {
        propagationPolicy: blocking ? 'Foreground' : 'Background',
      });
    }
  }

  private dropOwnerRefs(e: Entry, uids: string[]): void {
    this.objects.mutate(e.rt, e.obj.metadata.namespace, e.obj.metadata.name ?? '', MANAGER, (o) => {
      const refs = (o.metadata.ownerReferences ?? []).filter((r) => !uids.includes(r.uid));
      if (refs.length > 0) o.metadata.ownerReferences = refs;
      else delete o.metadata.ownerReferences;
    });
  }

  private removeFinalizer(e: Entry, finalizer: string): void {
    this.objects.mutate(e.rt, e.obj.metadata.namespace, e.obj.metadata.name ?? '', MANAGER, (o) => {
      o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== finalizer);
      if (o.metadata.finalizers.length === 0) delete o.metadata.finalizers;
    });
  }

  /** Deletes everything in the namespace, then clears the `kubernetes` spec finalizer. */
  private drainNamespace(ns: KubeObject): void {
    const name = ns.metadata.name ?? '';
    let remaining = 0;
    for (const rt of RESOURCES.filter((r) => r.namespaced)) {
      for (const obj of this.objects.store.scan(rt, name)) {
        remaining++;
        if (!obj.metadata.deletionTimestamp)
          deleteObject(this.objects, rt, name, obj.metadata.name ?? '', {});
      }
    }
    const specFinalizers = (ns.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
    if (remaining > 0 || !specFinalizers.includes('kubernetes')) return;
    this.objects.mutate(NAMESPACE, undefined, name, { manager: 'namespace-controller' }, (o) => {
      o.spec = {
        ...(o.spec as object),
        finalizers: specFinalizers.filter((f) => f !== 'kubernetes'),
      };
    });
  }
}
