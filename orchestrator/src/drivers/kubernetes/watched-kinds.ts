import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  NetworkingV1Api,
} from '@kubernetes/client-node';
import { type Component, managedSelector } from '../../names.ts';
import { toWire } from './applied.ts';

/**
 * Every kind the driver applies, with how to list it for an informer. Lists of the kinds compared
 * for drift are converted back to wire JSON, the form watch events arrive in, so one cache never
 * mixes `_from` with `from`. Pods stay as client-node returns them (`pod-status.ts` accepts both).
 */
export interface WatchedKind {
  kind: string;
  /** Collection path, e.g. `/api/v1/namespaces/ns/services`. */
  path: string;
  labelSelector: string;
  list: () => Promise<KubernetesListObject<KubernetesObject>>;
}

type List = KubernetesListObject<KubernetesObject>;

export function watchedKinds(kubeConfig: KubeConfig, namespace: string): WatchedKind[] {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const networking = kubeConfig.makeApiClient(NetworkingV1Api);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const corePath = (plural: string) => `/api/v1/namespaces/${namespace}/${plural}`;
  const entry = (
    kind: string,
    path: string,
    component: Component,
    list: (labelSelector: string) => Promise<List>,
    model?: string,
  ): WatchedKind => {
    const labelSelector = managedSelector(component);
    const listed = async () => {
      const result = await list(labelSelector);
      return model ? { ...result, items: result.items.map((i) => toWire(i, model)) } : result;
    };
    return { kind, path, labelSelector, list: listed };
  };
  return [
    entry('Pod', corePath('pods'), 'gateway', (labelSelector) =>
      core.listNamespacedPod({ namespace, labelSelector }),
    ),
    entry(
      'ConfigMap',
      corePath('configmaps'),
      'anchor',
      (labelSelector) => core.listNamespacedConfigMap({ namespace, labelSelector }),
      'V1ConfigMap',
    ),
    entry(
      'Secret',
      corePath('secrets'),
      'credentials',
      (labelSelector) => core.listNamespacedSecret({ namespace, labelSelector }),
      'V1Secret',
    ),
    entry(
      'Service',
      corePath('services'),
      'gateway',
      (labelSelector) => core.listNamespacedService({ namespace, labelSelector }),
      'V1Service',
    ),
    entry(
      'PersistentVolumeClaim',
      corePath('persistentvolumeclaims'),
      'workspace',
      (labelSelector) => core.listNamespacedPersistentVolumeClaim({ namespace, labelSelector }),
      'V1PersistentVolumeClaim',
    ),
    entry(
      'NetworkPolicy',
      `/apis/networking.k8s.io/v1/namespaces/${namespace}/networkpolicies`,
      'network-policy',
      (labelSelector) => networking.listNamespacedNetworkPolicy({ namespace, labelSelector }),
      'V1NetworkPolicy',
    ),
    entry(
      'IngressRoute',
      `/apis/traefik.io/v1alpha1/namespaces/${namespace}/ingressroutes`,
      'ingress',
      // Custom objects come back as plain JSON already.
      (labelSelector) =>
        custom.listNamespacedCustomObject({
          group: 'traefik.io',
          version: 'v1alpha1',
          namespace,
          plural: 'ingressroutes',
          labelSelector,
        }) as Promise<List>,
    ),
  ];
}
