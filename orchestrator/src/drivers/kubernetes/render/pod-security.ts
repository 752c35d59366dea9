import type { V1PodSecurityContext, V1SecurityContext } from '@kubernetes/client-node';

/** The image's `node` user. */
const UID = 1000;

/**
 * Pod-level hardening (matches upstream's Kubernetes manifest, passes the `restricted` Pod Security
 * Standard).
 */
export function podSecurityContext(): V1PodSecurityContext {
  return {
    runAsUser: UID,
    runAsGroup: UID,
    runAsNonRoot: true,
    fsGroup: UID,
    // Recursive chown of a large workspace on every start would delay startup by minutes.
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Container-level hardening: no privilege gain, no capabilities, read-only image filesystem. */
export function containerSecurityContext(): V1SecurityContext {
  return {
    runAsUser: UID,
    runAsGroup: UID,
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
