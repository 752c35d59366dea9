import type { KubernetesObject, V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';
import { ANNOTATIONS, runtimeObjectName, workspaceClaimName } from '../../names.ts';
import type { RuntimeTarget } from '../driver.ts';
import type { AppliedLedger } from './applied.ts';
import { type Applier, isStatus, ref } from './apply.ts';
import type { RuntimeCache } from './observe.ts';
import type { ResolvedOptions } from './options.ts';
import { renderAnchor } from './render/anchor.ts';
import { renderIngressRoute } from './render/ingress-route.ts';
import type { AnchorRef } from './render/meta.ts';
import { renderNetworkPolicy } from './render/network-policy.ts';
import { renderPod } from './render/pod.ts';
import { renderSecret } from './render/secret.ts';
import { renderService } from './render/service.ts';
import { renderWorkspaceClaim, requestedGiB } from './render/workspace.ts';

/** What `ensureRunning` works with; `applier` records every applied body in `ledger`. */
export interface EnsureContext {
  options: ResolvedOptions;
  applier: Applier;
  ledger: AppliedLedger;
  cache: Pick<RuntimeCache, 'pod' | 'object'>;
}

/**
 * One idempotent step towards "the runtime runs `target`". Safe to repeat after a crash anywhere.
 * Order: anchor (its uid owns the rest) → everything else in parallel → the pod: three round trips
 * for a new runtime. A pod that must be replaced is only deleted here; the informer's delete event
 * brings the controller back to create the new one (same name, so the old one must be gone first).
 * Every applied body except the pod's is recorded for drift detection (the pod has its own hashes).
 */
export async function ensureRunning(target: RuntimeTarget, context: EnsureContext): Promise<void> {
  const { options } = context;
  const applier = recording(context, target.runtimeId);
  const ns = options.namespace;
  const anchor = await applier.apply(renderAnchor(target, options));
  const owner: AnchorRef = {
    name: runtimeObjectName(target.runtimeId),
    uid: anchor.metadata?.uid ?? '',
  };
  if (!owner.uid) throw new Error(`anchor ${owner.name} came back without a uid`);
  const { runtimeId, ownerId } = target;
  const [claim] = await Promise.all([
    ensureWorkspace(target, { ...context, applier }),
    applier.apply(renderSecret(target, ns, owner)),
    applier.apply(renderService(runtimeId, ownerId, ns, owner)),
    applier.apply(
      renderNetworkPolicy({
        runtimeId,
        ownerId,
        namespace: ns,
        owner,
        proxy: { namespace: options.proxyNamespace, podSelector: options.proxyPodSelector },
        credentialProxy: options.credentialProxy,
        dns: options.dns,
      }),
    ),
    applier.apply(
      renderIngressRoute({
        runtimeId,
        ownerId,
        namespace: ns,
        owner,
        host: `${target.hostLabel}.${options.baseDomain}`,
        publicOrigin: target.publicOrigin,
        forwardAuth: options.forwardAuthMiddleware,
        entryPoints: options.entryPoints,
        tls: options.ingressTls,
      }),
    ),
  ]);
  if (claim.metadata?.deletionTimestamp) {
    // A wipe is still releasing the volume; a pod mounting it now would never start.
    throw new Error(`workspace claim ${claim.metadata.name} is being deleted; retry later`);
  }
  await ensurePod(target, { ...context, applier }, owner);
}

function recording({ applier, ledger }: EnsureContext, runtimeId: string): Applier {
  return {
    ...applier,
    async apply<T extends KubernetesObject>(object: T): Promise<T> {
      const stored = await applier.apply(object);
      if (object.kind !== 'Pod') ledger.record(runtimeId, object);
      return stored;
    },
  };
}

async function ensurePod(target: RuntimeTarget, context: EnsureContext, owner: AnchorRef) {
  const { options, applier } = context;
  const desired = renderPod({
    target,
    namespace: options.namespace,
    image: options.image,
    owner,
    terminationGracePeriodSeconds: options.terminationGracePeriodSeconds,
  });
  const podRef = ref('v1', 'Pod', runtimeObjectName(target.runtimeId), options.namespace);
  // A pod the cache holds is read live: applying a new spec onto an old pod is rejected (pod specs
  // are immutable), and a lagging cache would make us do exactly that. A pod the cache lacks is gone
  // (deletions reach the cache only once complete) or was created a moment ago with this body.
  const current = context.cache.pod(target.runtimeId)
    ? await applier.read<V1Pod>(podRef)
    : undefined;
  if (current?.metadata?.deletionTimestamp) return;
  const reason = current && replacementReason(current, desired);
  if (reason) {
    options.logger.info({ runtimeId: target.runtimeId, reason }, 'replacing gateway pod');
    await applier.remove(podRef);
    return;
  }
  await applier.apply(desired);
}

/** Why an existing pod cannot become `desired` in place, if it cannot. */
export function replacementReason(current: V1Pod, desired: V1Pod): string | undefined {
  const has = current.metadata?.annotations ?? {};
  const wants = desired.metadata?.annotations ?? {};
  if (has[ANNOTATIONS.templateHash] !== wants[ANNOTATIONS.templateHash]) return 'TemplateChanged';
  if (has[ANNOTATIONS.specHash] !== wants[ANNOTATIONS.specHash]) return 'SpecChanged';
  const phase = current.status?.phase;
  // restartPolicy Always: Failed/Succeeded never restart; Unknown is a lost node (deletion lets the
  // node lifecycle controller finish it, and the new pod follows once it is gone).
  if (phase === 'Failed' || phase === 'Succeeded' || phase === 'Unknown') return `Pod${phase}`;
  return undefined;
}

/**
 * The owner's PVC, never shrunk (Kubernetes refuses that): the size is the larger of the profile's
 * and the claim's. A resize the storage class refuses is logged, not fatal: the runtime still runs.
 * The claim comes from the cache: one that lags behind a resize renders a smaller size, which the
 * apiserver refuses (422) and the next reconcile gets right.
 */
async function ensureWorkspace(
  target: RuntimeTarget,
  { options, applier, cache }: EnsureContext,
): Promise<V1PersistentVolumeClaim> {
  const name = workspaceClaimName(target.ownerId);
  const current = cache.object('PersistentVolumeClaim', name) as
    | V1PersistentVolumeClaim
    | undefined;
  if (current?.metadata?.deletionTimestamp) return current;
  const sizeGiB = Math.max(target.profile.diskGiB, requestedGiB(current) ?? 0);
  const claim = renderWorkspaceClaim({
    ownerId: target.ownerId,
    namespace: options.namespace,
    sizeGiB,
    ...(options.storageClassName ? { storageClassName: options.storageClassName } : {}),
  });
  try {
    return await applier.apply(claim);
  } catch (err) {
    if (!current || !(isStatus(err, 422) || isStatus(err, 403))) throw err;
    options.logger.warn(
      { runtimeId: target.runtimeId, claim: name, err: String(err) },
      'workspace claim not updated',
    );
    return current;
  }
}
