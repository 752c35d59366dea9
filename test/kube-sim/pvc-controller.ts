/**
 * Simulated volume controllers: binds Pending claims (dynamic provisioning into `pvc-<uid>`) and
 * lifts the `kubernetes.io/pvc-protection` finalizer once no live pod mounts a deleted claim.
 * Only claims being deleted are tracked, and pods are looked at only while there are some: checking
 * every claim of the namespace on every pod event was quadratic at 5,000 runtimes.
 */
import { PVC_PROTECTION } from './defaults.ts';
import type { Objects } from './objects.ts';
import { RESOURCES, type ResourceType } from './resources.ts';
import type { KubeObject } from './types.ts';

const PVCS = RESOURCES.find((r) => r.kind === 'PersistentVolumeClaim') as ResourceType;
const PODS = RESOURCES.find((r) => r.kind === 'Pod') as ResourceType;

function claimsOf(pod: KubeObject): string[] {
  const volumes =
    (pod.spec as { volumes?: { persistentVolumeClaim?: { claimName?: string } }[] } | undefined)
      ?.volumes ?? [];
  return volumes.flatMap((v) =>
    v.persistentVolumeClaim?.claimName ? [v.persistentVolumeClaim.claimName] : [],
  );
}

export class PvcController {
  private readonly objects: Objects;
  private readonly bindDelayMs: () => number;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Deleted claims still held by the protection finalizer: namespace → claim names. */
  private readonly releasing = new Map<string, Set<string>>();
  private readonly scheduled = new Set<string>();
  private unsubscribe: (() => void) | undefined;

  constructor(objects: Objects, bindDelayMs: () => number) {
    this.objects = objects;
    this.bindDelayMs = bindDelayMs;
  }

  start(): void {
    this.unsubscribe = this.objects.store.subscribe((e) => {
      if (e.resource === PVCS && e.type === 'ADDED')
        this.later(this.bindDelayMs(), () => this.bind(e.object));
      const namespace = e.object.metadata.namespace ?? '';
      if (e.resource === PVCS && e.type !== 'DELETED' && isProtectedAndDeleted(e.object)) {
        const names = this.releasing.get(namespace) ?? new Set<string>();
        this.releasing.set(namespace, names.add(e.object.metadata.name ?? ''));
      }
      if ((e.resource === PVCS || e.resource === PODS) && this.releasing.has(namespace))
        this.scheduleRelease(namespace);
    });
  }

  private scheduleRelease(namespace: string): void {
    if (this.scheduled.has(namespace)) return;
    this.scheduled.add(namespace);
    this.later(0, () => {
      this.scheduled.delete(namespace);
      this.release(namespace);
    });
  }

  stop(): void {
    this.unsubscribe?.();
    for (const t of this.timers) clearTimeout(t);
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      try {
        fn();
      } catch {
        // The claim changed meanwhile; a later event retries.
      }
    }, ms);
    this.timers.add(t);
  }

  private bind(ref: KubeObject): void {
    const pvc = this.objects.store.get(PVCS, ref.metadata.namespace, ref.metadata.name ?? '');
    if (
      !pvc ||
      pvc.metadata.uid !== ref.metadata.uid ||
      (pvc.status as { phase?: string })?.phase !== 'Pending'
    )
      return;
    const spec = pvc.spec as {
      accessModes?: string[];
      resources?: { requests?: { storage?: string } };
    };
    const volumeName = `pvc-${pvc.metadata.uid}`;
    this.objects.mutate(
      PVCS,
      pvc.metadata.namespace,
      pvc.metadata.name ?? '',
      { manager: 'kube-controller-manager', allFields: true },
      (o) => {
        (o.spec as { volumeName?: string }).volumeName = volumeName;
        o.metadata.annotations = {
          ...o.metadata.annotations,
          'pv.kubernetes.io/bind-completed': 'yes',
          'pv.kubernetes.io/bound-by-controller': 'yes',
        };
        o.status = {
          phase: 'Bound',
          accessModes: spec.accessModes ?? ['ReadWriteOnce'],
          capacity: { storage: spec.resources?.requests?.storage ?? '1Gi' },
        };
      },
    );
  }

  private release(namespace: string): void {
    const names = this.releasing.get(namespace);
    if (!names) return;
    const inUse = new Set(
      this.objects.store
        .scan(PODS, namespace)
        .filter(
          (p) => !['Succeeded', 'Failed'].includes((p.status as { phase?: string })?.phase ?? ''),
        )
        .flatMap(claimsOf),
    );
    for (const name of names) {
      const pvc = this.objects.store.get(PVCS, namespace, name);
      if (!pvc || !isProtectedAndDeleted(pvc)) {
        names.delete(name);
        continue;
      }
      if (inUse.has(name)) continue;
      this.objects.mutate(PVCS, namespace, name, { manager: 'kube-controller-manager' }, (o) => {
        o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== PVC_PROTECTION);
      });
      names.delete(name);
    }
    if (names.size === 0) this.releasing.delete(namespace);
  }
}

function isProtectedAndDeleted(pvc: KubeObject): boolean {
  return (
    !!pvc.metadata.deletionTimestamp && (pvc.metadata.finalizers ?? []).includes(PVC_PROTECTION)
  );
}
