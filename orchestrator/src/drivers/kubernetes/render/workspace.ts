import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { ownerLabels, workspaceClaimName } from '../../../names.ts';
import { objectMeta } from './meta.ts';

export interface WorkspaceClaimInput {
  ownerId: string;
  namespace: string;
  /** Requested size; the caller never passes less than the claim already has (PVCs cannot shrink). */
  sizeGiB: number;
  storageClassName?: string;
}

/**
 * The owner's workspace volume. Deliberately not owned by the anchor: deleting or stopping a runtime
 * must not delete data; only an explicit `wipe` does. ReadWriteOnce: one gateway at a time writes
 * OpenClaw's SQLite state, which the single same-named pod guarantees anyway.
 */
export function renderWorkspaceClaim(input: WorkspaceClaimInput): V1PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: objectMeta(
      workspaceClaimName(input.ownerId),
      input.namespace,
      ownerLabels(input.ownerId, 'workspace'),
    ),
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: `${input.sizeGiB}Gi` } },
      ...(input.storageClassName ? { storageClassName: input.storageClassName } : {}),
    },
  };
}

/** GiB requested by an existing claim (`10Gi`, `1Ti`, …); undefined if not a binary-suffixed size. */
export function requestedGiB(claim: V1PersistentVolumeClaim | undefined): number | undefined {
  const storage = claim?.spec?.resources?.requests?.storage;
  const match = /^(\d+)(Mi|Gi|Ti)$/.exec(String(storage ?? ''));
  if (!match) return undefined;
  const factor = { Mi: 1 / 1024, Gi: 1, Ti: 1024 }[match[2] as 'Mi' | 'Gi' | 'Ti'];
  return Number(match[1]) * factor;
}
