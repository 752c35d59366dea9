import type { RetentionPolicy } from '../../../../schema/domain/enums.ts';
import { runtimeObjectName, workspaceClaimName } from '../../names.ts';
import type { ObservedRuntime, RuntimeDriver } from '../driver.ts';
import { createAppliedLedger } from './applied.ts';
import { type Applier, createApplier, ref } from './apply.ts';
import { kubernetesBackendCheck } from './backend-check.ts';
import { describeDrift } from './drift.ts';
import { ensureRunning } from './ensure-running.ts';
import { createRuntimeCache } from './observe.ts';
import { type KubernetesDriverOptions, type ResolvedOptions, resolveOptions } from './options.ts';
import { observePod } from './pod-status.ts';
import { serviceEndpoint } from './render/service.ts';

export type { KubernetesDriverOptions } from './options.ts';

/**
 * The Kubernetes Runtime Manager: per runtime an anchor ConfigMap owning a Secret, Service,
 * NetworkPolicy, IngressRoute and a bare gateway Pod, plus one workspace PVC per owner.
 * Reads come from informer caches (`observe`, `listKnown`); writes go through `apply.ts` only.
 * `observe` reports `drift` when a cached object no longer holds what this process applied (or
 * nothing was applied yet since start), so a converged runtime costs no write and a hand edit or
 * deletion is undone by the next `ensureRunning`.
 */
export function createKubernetesDriver(input: KubernetesDriverOptions): RuntimeDriver {
  const options = resolveOptions(input);
  const { namespace, logger } = options;
  const applier = createApplier(options.kubeConfig, options.fieldManager, logger);
  const ledger = createAppliedLedger();
  const cache = createRuntimeCache({
    kubeConfig: options.kubeConfig,
    namespace,
    logger,
    dependents: ledger.runtimesUsing,
  });
  return {
    kind: 'kubernetes',
    start: (onChange) => cache.start(onChange),
    stop: () => cache.stop(),
    async observe(runtimeId): Promise<ObservedRuntime> {
      const observed = observePod(cache.pod(runtimeId));
      if (observed.state === 'absent') return observed;
      const drift = describeDrift(ledger.objects(runtimeId), cache.object);
      return {
        ...observed,
        endpoint: serviceEndpoint(runtimeId, namespace),
        ...(drift ? { drift } : {}),
      };
    },
    ensureRunning: (target) => ensureRunning(target, { options, applier, ledger, cache }),
    async ensureStopped(runtimeId) {
      // The rest stays: Service, route and policy cost nothing, and the next start is one pod away.
      await applier.remove(ref('v1', 'Pod', runtimeObjectName(runtimeId), namespace));
    },
    async ensureDeleted(runtimeId, ownerId, retention) {
      ledger.forget(runtimeId);
      await ensureDeleted(runtimeId, ownerId, retention, options, applier);
    },
    async listKnown() {
      return cache.knownRuntimeIds();
    },
    checkBackend: kubernetesBackendCheck(options.kubeConfig),
  };
}

/**
 * Deletes every per-runtime object explicitly instead of relying on garbage-collection timing (the
 * owner references remain the safety net for an interrupted teardown or a manual `kubectl delete`).
 * Returns once the deletes are accepted; the runtime leaves `listKnown()` when its pod and anchor are
 * gone from the cache.
 *
 * `wipe` also deletes the owner's workspace PVC. The PVC is shared by all of the owner's runtimes and
 * this driver cannot see the database, so the controller must ask for `wipe` only when deleting the
 * owner's last runtime.
 */
async function ensureDeleted(
  runtimeId: string,
  ownerId: string,
  retention: RetentionPolicy,
  options: ResolvedOptions,
  applier: Applier,
): Promise<void> {
  const name = runtimeObjectName(runtimeId);
  const ns = options.namespace;
  // The pod first: the runtime stops now, not whenever the garbage collector gets to it.
  await applier.remove(ref('v1', 'Pod', name, ns));
  await Promise.all([
    applier.remove(ref('v1', 'Secret', name, ns)),
    applier.remove(ref('v1', 'Service', name, ns)),
    applier.remove(ref('networking.k8s.io/v1', 'NetworkPolicy', name, ns)),
    applier.remove(ref('traefik.io/v1alpha1', 'IngressRoute', name, ns)),
  ]);
  // The anchor last: while it exists the runtime is still listed, so an interrupted teardown resumes.
  await applier.remove(ref('v1', 'ConfigMap', name, ns), 'Background');
  if (retention === 'wipe') {
    await applier.remove(ref('v1', 'PersistentVolumeClaim', workspaceClaimName(ownerId), ns));
  }
}
