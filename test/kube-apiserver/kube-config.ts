/** KubeConfigs for the harness: bearer-token users against a server we trust by its CA (no skipTLSVerify). */
import { KubeConfig } from '@kubernetes/client-node';

export interface KubeConfigInput {
  server: string;
  token: string;
  /** PEM of the apiserver's self-signed CA (https servers only). */
  ca?: string;
  namespace?: string;
  user?: string;
}

export function makeKubeConfig(input: KubeConfigInput): KubeConfig {
  const kc = new KubeConfig();
  const user = input.user ?? 'user';
  kc.loadFromOptions({
    clusters: [
      {
        name: 'kube-apiserver',
        server: input.server,
        skipTLSVerify: false,
        ...(input.ca ? { caData: Buffer.from(input.ca).toString('base64') } : {}),
      },
    ],
    users: [{ name: user, token: input.token }],
    contexts: [
      {
        name: user,
        cluster: 'kube-apiserver',
        user,
        namespace: input.namespace ?? 'default',
      },
    ],
    currentContext: user,
  });
  return kc;
}
