/**
 * Object storage with one global resourceVersion counter and a bounded event history (the watch
 * cache). History is test-controllable: `compact()` drops everything, so watches from older RVs get 410.
 */
import type { ResourceType } from './resources.ts';
import { clone, type KubeObject } from './types.ts';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  resource: ResourceType;
  /** The object after the change (for DELETED: the last state, with the deletion's RV). */
  object: KubeObject;
  /** The object before the change; lets watches with selectors emit ADDED/DELETED on transitions. */
  previous?: KubeObject;
  rv: number;
}

export type StoreListener = (event: StoreEvent) => void;

export function resourceKey(rt: ResourceType): string {
  return `${rt.group}/${rt.plural}`;
}

/** `namespace/name`: sorting these orders a resource's objects like etcd keys. */
function objectKey(rt: ResourceType, namespace: string | undefined, name: string): string {
  return `${rt.namespaced ? (namespace ?? '') : ''}/${name}`;
}

export class Store {
  /** Per resource, so reading one kind never walks every other kind (5,000-runtime benches). */
  private objects = new Map<string, Map<string, KubeObject>>();
  private history: StoreEvent[] = [];
  private listeners = new Set<StoreListener>();
  private revision: number;
  private capacity: number;
  /** Events with rv <= compactedRv are gone; watching from an rv below it is 410 Expired. */
  private compacted: number;

  constructor(historyCapacity: number, initialRv: number) {
    this.capacity = historyCapacity;
    this.revision = initialRv;
    this.compacted = initialRv;
  }

  get resourceVersion(): number {
    return this.revision;
  }

  get compactedRv(): number {
    return this.compacted;
  }

  get(rt: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const obj = this.kind(rt).get(objectKey(rt, namespace, name));
    return obj ? clone(obj) : undefined;
  }

  /** All objects of a resource (optionally in one namespace), sorted by namespace/name like etcd keys. */
  list(rt: ResourceType, namespace?: string): KubeObject[] {
    const prefix = rt.namespaced && namespace ? `${namespace}/` : '';
    return [...this.kind(rt).entries()]
      .filter(([k]) => k.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, v]) => clone(v));
  }

  /**
   * Like `list`, unsorted and without copies: for the simulated controllers, which only read and
   * write through `Objects`. Cloning every object on every sweep made the simulator quadratic.
   */
  scan(rt: ResourceType, namespace?: string): readonly Readonly<KubeObject>[] {
    const all = [...this.kind(rt).values()];
    if (!rt.namespaced || !namespace) return all;
    return all.filter((o) => o.metadata.namespace === namespace);
  }

  /** Stores `obj` under a fresh resourceVersion and notifies watchers; returns the stored copy. */
  put(rt: ResourceType, obj: KubeObject, previous: KubeObject | undefined): KubeObject {
    this.revision++;
    const stored = clone(obj);
    stored.metadata.resourceVersion = String(this.revision);
    this.kind(rt).set(objectKey(rt, stored.metadata.namespace, stored.metadata.name ?? ''), stored);
    this.emit({
      type: previous ? 'MODIFIED' : 'ADDED',
      resource: rt,
      object: clone(stored),
      previous,
      rv: this.revision,
    });
    return clone(stored);
  }

  remove(rt: ResourceType, obj: KubeObject): KubeObject {
    this.revision++;
    const last = clone(obj);
    last.metadata.resourceVersion = String(this.revision);
    this.kind(rt).delete(objectKey(rt, obj.metadata.namespace, obj.metadata.name ?? ''));
    this.emit({
      type: 'DELETED',
      resource: rt,
      object: clone(last),
      previous: obj,
      rv: this.revision,
    });
    return last;
  }

  /** Events after `rv`, or 'expired' when the window no longer reaches back that far. */
  eventsSince(rv: number): StoreEvent[] | 'expired' {
    if (rv < this.compacted) return 'expired';
    return this.history.filter((e) => e.rv > rv);
  }

  /** Drops history up to `rv` (default: everything so far). */
  compact(rv: number = this.revision): void {
    this.compacted = Math.max(this.compacted, rv);
    this.history = this.history.filter((e) => e.rv > this.compacted);
  }

  setHistoryCapacity(capacity: number): void {
    this.capacity = capacity;
    this.trim();
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private kind(rt: ResourceType): Map<string, KubeObject> {
    const key = resourceKey(rt);
    let objects = this.objects.get(key);
    if (!objects) {
      objects = new Map();
      this.objects.set(key, objects);
    }
    return objects;
  }

  private trim(): void {
    while (this.history.length > this.capacity) {
      const dropped = this.history.shift();
      if (dropped) this.compacted = dropped.rv;
    }
  }

  private emit(event: StoreEvent): void {
    this.history.push(event);
    this.trim();
    for (const l of [...this.listeners]) l(event);
  }
}
