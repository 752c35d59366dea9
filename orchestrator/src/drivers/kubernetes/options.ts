import type { KubeConfig } from '@kubernetes/client-node';
import { IDENTITY_HEADER } from '../../../../schema/domain/identity.ts';

/** A set of pods in a namespace (NetworkPolicy peer). */
export interface PodPeer {
  namespace: string;
  /** `matchLabels` of the peer pods. */
  podSelector: Record<string, string>;
}

/** Minimal structured logger (pino-compatible). */
export interface DriverLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface KubernetesDriverOptions {
  /** Connection to the cluster (in-cluster service account, KUBECONFIG, or the test simulator). */
  kubeConfig: KubeConfig;
  /** Namespace holding every runtime object. @default 'clawloops-runtimes' */
  namespace?: string;
  /** Gateway image without tag; the tag is `RuntimeTarget.openclawVersion`. @default 'ghcr.io/openclaw/openclaw' */
  image?: string;
  /** The one server-side-apply field manager the orchestrator writes as. @default 'clawloops-orchestrator' */
  fieldManager?: string;
  /** Runtime hosts are `<hostLabel>.<baseDomain>`, e.g. `example.com`. */
  baseDomain: string;
  /** Header the forwardAuth endpoint sets to the authenticated username. @default IDENTITY_HEADER (`x-clawloops-user`) */
  identityHeader?: string;
  /** Namespace of the Traefik pods allowed to reach runtimes. @default 'traefik' */
  proxyNamespace?: string;
  /** `matchLabels` of those Traefik pods. @default { 'app.kubernetes.io/name': 'traefik' } */
  proxyPodSelector?: Record<string, string>;
  /**
   * The credential proxy: the only egress besides DNS a runtime gets.
   * @default { namespace: 'clawloops-system', podSelector: { 'app.kubernetes.io/component': 'credential-proxy' }, port: 8080 }
   */
  credentialProxy?: PodPeer & { port: number };
  /** Cluster DNS pods. @default { namespace: 'kube-system', podSelector: { 'k8s-app': 'kube-dns' } } */
  dns?: PodPeer;
  /**
   * The shared Traefik forwardAuth Middleware. A Middleware in another namespace needs Traefik's
   * `providers.kubernetesCRD.allowCrossNamespace=true`.
   * @default { name: 'clawloops-forwardauth', namespace: 'clawloops-system' }
   */
  forwardAuthMiddleware?: { name: string; namespace: string };
  /** Traefik entry points of the IngressRoutes. @default undefined (Traefik's default entry points) */
  entryPoints?: string[];
  /** `spec.tls` of https IngressRoutes (e.g. `{ certResolver: 'le' }`). @default {} (Traefik's default certificate) */
  ingressTls?: Record<string, unknown>;
  /** Storage class of workspace PVCs. @default undefined (the cluster's default class) */
  storageClassName?: string;
  /**
   * CIDRs of the Traefik pods: the only sources the gateway accepts identity headers from. The default
   * (any private address) leans on the NetworkPolicy admitting only Traefik; narrow it to the pod CIDR
   * of the Traefik nodes, or to Traefik's pod IPs, wherever the CNI does not enforce NetworkPolicy.
   * @default ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']
   */
  trustedProxies?: string[];
  /**
   * How long a stopping gateway may drain. @default 60
   * OpenClaw's own drain budget is ~5.5 min; we give an active agent turn time to finish and persist,
   * but a restart (same pod name) cannot begin until the old pod is gone, so the user waits this long
   * at worst.
   */
  terminationGracePeriodSeconds?: number;
  /** Structured logger. @default silent */
  logger?: DriverLogger;
}

export type ResolvedOptions = Required<
  Omit<KubernetesDriverOptions, 'storageClassName' | 'entryPoints'>
> &
  Pick<KubernetesDriverOptions, 'storageClassName' | 'entryPoints'>;

const silent: DriverLogger = { debug() {}, info() {}, warn() {}, error() {} };

export function resolveOptions(options: KubernetesDriverOptions): ResolvedOptions {
  return {
    namespace: 'clawloops-runtimes',
    image: 'ghcr.io/openclaw/openclaw',
    fieldManager: 'clawloops-orchestrator',
    identityHeader: IDENTITY_HEADER,
    proxyNamespace: 'traefik',
    proxyPodSelector: { 'app.kubernetes.io/name': 'traefik' },
    dns: { namespace: 'kube-system', podSelector: { 'k8s-app': 'kube-dns' } },
    credentialProxy: {
      namespace: 'clawloops-system',
      podSelector: { 'app.kubernetes.io/component': 'credential-proxy' },
      port: 8080,
    },
    forwardAuthMiddleware: { name: 'clawloops-forwardauth', namespace: 'clawloops-system' },
    trustedProxies: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'],
    ingressTls: {},
    terminationGracePeriodSeconds: 60,
    logger: silent,
    ...stripUndefined(options),
  };
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
