import type { V1Service } from '@kubernetes/client-node';
import { gatewayPodSelector, runtimeLabels, runtimeObjectName } from '../../../names.ts';
import { type AnchorRef, GATEWAY_PORT, objectMeta } from './meta.ts';

export function renderService(
  runtimeId: string,
  ownerId: string,
  namespace: string,
  owner: AnchorRef,
): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: objectMeta(
      runtimeObjectName(runtimeId),
      namespace,
      runtimeLabels(runtimeId, ownerId, 'gateway'),
      { owner },
    ),
    spec: {
      type: 'ClusterIP',
      selector: gatewayPodSelector(runtimeId),
      // `protocol` is explicit: server-side apply on older apiservers rejects ports without it
      // (the list key is port+protocol).
      ports: [{ name: 'http', port: GATEWAY_PORT, targetPort: GATEWAY_PORT, protocol: 'TCP' }],
    },
  };
}

/** In-cluster URL of a runtime's gateway (the IngressRoute's target and the driver's `endpoint`). */
export function serviceEndpoint(runtimeId: string, namespace: string): string {
  return `http://${runtimeObjectName(runtimeId)}.${namespace}.svc:${GATEWAY_PORT}`;
}
