import { describe, expect, it } from 'vitest';
import { OWNER, OWNER_ID, RUNTIME_ID } from './fixture.ts';
import { renderNetworkPolicy } from './network-policy.ts';

const policy = renderNetworkPolicy({
  runtimeId: RUNTIME_ID,
  ownerId: OWNER_ID,
  namespace: 'ns',
  owner: OWNER,
  proxy: { namespace: 'traefik', podSelector: { app: 'traefik' } },
  credentialProxy: { namespace: 'sys', podSelector: { app: 'proxy' }, port: 8080 },
  dns: { namespace: 'kube-system', podSelector: { 'k8s-app': 'kube-dns' } },
});
const inNs = (ns: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': ns } });

describe('renderNetworkPolicy', () => {
  it('applies to this runtime’s pod only, both directions', () => {
    expect(policy.spec?.podSelector?.matchLabels?.['clawloops.io/runtime-id']).toBe(RUNTIME_ID);
    expect(policy.spec?.policyTypes).toEqual(['Ingress', 'Egress']);
  });

  it('admits only the proxy, on the gateway port', () => {
    expect(policy.spec?.ingress).toEqual([
      {
        _from: [
          { namespaceSelector: inNs('traefik'), podSelector: { matchLabels: { app: 'traefik' } } },
        ],
        ports: [{ protocol: 'TCP', port: 18789 }],
      },
    ]);
  });

  it('lets out only the credential proxy and DNS', () => {
    expect(policy.spec?.egress).toEqual([
      {
        to: [{ namespaceSelector: inNs('sys'), podSelector: { matchLabels: { app: 'proxy' } } }],
        ports: [{ protocol: 'TCP', port: 8080 }],
      },
      {
        to: [
          {
            namespaceSelector: inNs('kube-system'),
            podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
          },
        ],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
    ]);
  });
});
