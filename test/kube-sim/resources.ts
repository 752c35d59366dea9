/** The resource table: every kind the simulator serves, and the discovery documents built from it. */
export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  /** Has a /status subresource: the main endpoint ignores `status`, /status ignores the rest. */
  statusSubresource: boolean;
  /** metadata.generation is set and bumped on changes outside metadata/status. */
  generation: boolean;
  /** apps/v1 Deployments also bump generation on annotation changes (reference §1.2 [ran]). */
  generationOnAnnotations?: boolean;
  /** Custom resource (CRD): schemaless, no strategic-merge-patch (415). */
  custom: boolean;
  shortNames?: string[];
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function core(plural: string, kind: string, extra: Partial<ResourceType> = {}): ResourceType {
  return {
    group: '',
    version: 'v1',
    plural,
    singular: kind.toLowerCase(),
    kind,
    namespaced: true,
    statusSubresource: false,
    generation: false,
    custom: false,
    ...extra,
  };
}

export const RESOURCES: readonly ResourceType[] = [
  core('namespaces', 'Namespace', {
    namespaced: false,
    statusSubresource: true,
    shortNames: ['ns'],
  }),
  core('nodes', 'Node', { namespaced: false, statusSubresource: true, shortNames: ['no'] }),
  core('pods', 'Pod', { statusSubresource: true, generation: true, shortNames: ['po'] }),
  core('services', 'Service', { statusSubresource: true, shortNames: ['svc'] }),
  core('persistentvolumeclaims', 'PersistentVolumeClaim', {
    statusSubresource: true,
    shortNames: ['pvc'],
  }),
  core('secrets', 'Secret'),
  core('configmaps', 'ConfigMap', { shortNames: ['cm'] }),
  core('events', 'Event', { shortNames: ['ev'] }),
  core('deployments', 'Deployment', {
    group: 'apps',
    statusSubresource: true,
    generation: true,
    generationOnAnnotations: true,
    shortNames: ['deploy'],
  }),
  core('networkpolicies', 'NetworkPolicy', {
    group: 'networking.k8s.io',
    generation: true,
    shortNames: ['netpol'],
  }),
  core('ingressroutes', 'IngressRoute', {
    group: 'traefik.io',
    version: 'v1alpha1',
    generation: true,
    custom: true,
  }),
  core('middlewares', 'Middleware', {
    group: 'traefik.io',
    version: 'v1alpha1',
    generation: true,
    custom: true,
  }),
];

export function apiVersionOf(rt: ResourceType): string {
  return rt.group ? `${rt.group}/${rt.version}` : rt.version;
}

export function findResource(
  group: string,
  version: string,
  plural: string,
): ResourceType | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

export function findResourceByKind(apiVersion: string, kind: string): ResourceType | undefined {
  return RESOURCES.find((r) => apiVersionOf(r) === apiVersion && r.kind === kind);
}

/** GET /api/v1 or /apis/{group}/{version}: what KubernetesObjectApi reads before every call. */
export function apiResourceList(group: string, version: string): object | undefined {
  const types = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (types.length === 0) return undefined;
  const resources = types.flatMap((r) => {
    const main: Record<string, unknown> = {
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: VERBS,
    };
    if (r.shortNames) main.shortNames = r.shortNames;
    if (!r.statusSubresource) return [main];
    const sub = {
      name: `${r.plural}/status`,
      singularName: '',
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: ['get', 'patch', 'update'],
    };
    return [main, sub];
  });
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources,
  };
}

/** GET /apis: APIGroupList of the named groups (core is served at /api). */
export function apiGroupList(): object {
  const groups = [
    ...new Set(RESOURCES.filter((r) => r.group).map((r) => `${r.group}/${r.version}`)),
  ];
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groups.map((gv) => {
      const [name, version] = gv.split('/') as [string, string];
      const v = { groupVersion: gv, version };
      return { name, versions: [v], preferredVersion: v };
    }),
  };
}

export function apiVersions(serverAddress: string): object {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

export const VERSION_INFO = {
  major: '1',
  minor: '31',
  gitVersion: 'v1.31.0-kube-sim',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.22.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};
