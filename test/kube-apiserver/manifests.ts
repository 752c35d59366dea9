/**
 * Applies the repo's own manifests (deploy/k8s/) to the harness apiserver: the Traefik CRDs and
 * the orchestrator's RBAC. Server-side apply as the harness, so re-applying is idempotent.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  loadAllYaml,
  PatchStrategy,
} from '@kubernetes/client-node';

const DEPLOY = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'deploy', 'k8s');

export const TRAEFIK_CRDS = [
  join(DEPLOY, 'crds', 'traefik-ingressroute.yaml'),
  join(DEPLOY, 'crds', 'traefik-middleware.yaml'),
];
export const ORCHESTRATOR_RBAC = join(DEPLOY, 'base', 'orchestrator-rbac.yaml');

export function loadManifests(file: string): KubernetesObject[] {
  return loadAllYaml(readFileSync(file, 'utf8')) as KubernetesObject[];
}

export async function applyObjects(kc: KubeConfig, objects: KubernetesObject[]): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  for (const obj of objects) {
    await api.patch(
      obj,
      undefined,
      undefined,
      'clawloops-test-harness',
      true,
      PatchStrategy.ServerSideApply,
    );
  }
}

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const VERB_ORDER = [
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
];

/** The Role's rules, one per (group, resource), in the request log's `rbacRules()` order. */
export function orchestratorRoleRules(): PolicyRule[] {
  const role = loadManifests(ORCHESTRATOR_RBAC).find((o) => o.kind === 'Role') as
    | (KubernetesObject & { rules: PolicyRule[] })
    | undefined;
  if (!role) throw new Error(`${ORCHESTRATOR_RBAC} has no Role`);
  return role.rules
    .flatMap((r) =>
      r.apiGroups.flatMap((g) =>
        r.resources.map((res) => ({
          apiGroups: [g],
          resources: [res],
          verbs: VERB_ORDER.filter((v) => r.verbs.includes(v)),
        })),
      ),
    )
    .sort((a, b) =>
      `${a.apiGroups[0]}|${a.resources[0]}`.localeCompare(`${b.apiGroups[0]}|${b.resources[0]}`),
    );
}
