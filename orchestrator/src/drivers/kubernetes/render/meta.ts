import type { V1ObjectMeta, V1OwnerReference } from '@kubernetes/client-node';

/** The gateway's port everywhere: container, Service, NetworkPolicy, IngressRoute. */
export const GATEWAY_PORT = 18789;

/** Identity of the per-runtime anchor ConfigMap once it exists (its uid is only known after apply). */
export interface AnchorRef {
  name: string;
  uid: string;
}

/**
 * Controller reference to the anchor: deleting the anchor lets the garbage collector remove every
 * dependent, so a half-finished teardown (crash, lost request) still converges.
 */
export function anchorOwnerReference(anchor: AnchorRef): V1OwnerReference {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    name: anchor.name,
    uid: anchor.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function objectMeta(
  name: string,
  namespace: string,
  labels: Record<string, string>,
  extra: { owner?: AnchorRef; annotations?: Record<string, string> } = {},
): V1ObjectMeta {
  return {
    name,
    namespace,
    labels,
    ...(extra.annotations ? { annotations: extra.annotations } : {}),
    ...(extra.owner ? { ownerReferences: [anchorOwnerReference(extra.owner)] } : {}),
  };
}

export function base64(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64');
}
