/**
 * Simulated volume controllers: binds Pending claims (dynamic provisioning into `pvc-<uid>`) and
 * lifts the `kubernetes.io/pvc-protection` finalizer once no live pod mounts a deleted claim.
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
  private unsubscribe: (() => void) | undefined;

  constructor(objects: Objects, bindDelayMs: () => number) {
    this.objects = objects;
    this.bindDelayMs = bindDelayMs;
  }

  start(): void {
    this.unsubscribe = this.objects.store.subscribe((e) => {
      if (e.resource === PVCS && e.type === 'ADDED')
        this.later(this.bindDelayMs(), () => this.bind(e.object));
      if (e.resource === PVCS || e.resource === PODS)
        this.later(0, () => this.release(e.object.metadata.namespace));
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

  private release(namespace: string | undefined): void {
    const inUse = new Set(
      this.objects.store
        .scan(PODS, namespace)
        .filter(
          (p) => !['Succeeded', 'Failed'].includes((p.status as { phase?: string })?.phase ?? ''),
        )
        .flatMap(claimsOf),
    );
    for (const pvc of this.objects.store.scan(PVCS, namespace)) {
      const m = pvc.metadata;
      if (
        !m.deletionTimestamp ||
        !(m.finalizers ?? []).includes(PVC_PROTECTION) ||
        inUse.has(m.name ?? '')
      )
        continue;
      this.objects.mutate(
        PVCS,
        namespace,
        m.name ?? '',
        { manager: 'kube-controller-manager' },
        (o) => {
          o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== PVC_PROTECTION);
        },
      );
    }
  }
}
