import type { V1NetworkPolicy, V1NetworkPolicyPeer } from '@kubernetes/client-node';
import { gatewayPodSelector, runtimeLabels, runtimeObjectName } from '../../../names.ts';
import type { PodPeer } from '../options.ts';
import { type AnchorRef, GATEWAY_PORT, objectMeta } from './meta.ts';

export interface NetworkPolicyInput {
  runtimeId: string;
  ownerId: string;
  namespace: string;
  owner: AnchorRef;
  /** Traefik: the only ingress source. */
  proxy: PodPeer;
  credentialProxy: PodPeer & { port: number };
  dns: PodPeer;
}

function peer(p: PodPeer): V1NetworkPolicyPeer {
  return {
    // Set on every namespace by the apiserver (1.21+), so no label needs to be maintained by hand.
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': p.namespace } },
    podSelector: { matchLabels: p.podSelector },
  };
}

/**
 * Default-deny for one runtime: only Traefik may connect (on the gateway port), and the gateway may
 * reach only the credential proxy and cluster DNS. Tenants therefore cannot reach each other, the
 * Kubernetes API, or the internet. Enforced only by a NetworkPolicy-capable CNI.
 */
export function renderNetworkPolicy(input: NetworkPolicyInput): V1NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: objectMeta(
      runtimeObjectName(input.runtimeId),
      input.namespace,
      runtimeLabels(input.runtimeId, input.ownerId, 'network-policy'),
      { owner: input.owner },
    ),
    spec: {
      podSelector: { matchLabels: gatewayPodSelector(input.runtimeId) },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ _from: [peer(input.proxy)], ports: [{ protocol: 'TCP', port: GATEWAY_PORT }] }],
      egress: [
        {
          to: [peer(input.credentialProxy)],
          ports: [{ protocol: 'TCP', port: input.credentialProxy.port }],
        },
        {
          to: [peer(input.dns)],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    },
  };
}
