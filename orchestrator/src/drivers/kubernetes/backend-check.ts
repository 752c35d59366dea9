import { type KubeConfig, VersionApi } from '@kubernetes/client-node';

/**
 * Readiness of the Kubernetes backend: the API server answers `/version` with our credentials.
 * `/version` needs no RBAC grant beyond being authenticated, so a least-privilege orchestrator can
 * ask it, and it costs the API server nothing.
 */
export function kubernetesBackendCheck(kubeConfig: KubeConfig): () => Promise<void> {
  const api = kubeConfig.makeApiClient(VersionApi);
  return async () => {
    await api.getCode();
  };
}
