/**
 * Renders deploy/k8s with the kustomize built into kubectl, and reads the result as objects.
 * kubectl is not part of CI's clean clone: `kustomizeSkipReason()` says so and the suites skip.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// client-node's own YAML parser (its pinned dependency), without client-node's typed deserialisation,
// which renames fields (`from` → `_from`) and drops unknown ones: these tests read the manifests as
// written.
import { loadAll } from 'js-yaml';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const OVERLAYS = ['dev', 'prod'] as const;
export type Overlay = (typeof OVERLAYS)[number];

/** A rendered object; manifests are plain data, so tests read them structurally. */
// biome-ignore lint/suspicious/noExplicitAny: rendered YAML is untyped data
export type Obj = Record<string, any>;

export function kustomizeSkipReason(): string | undefined {
  const r = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return 'kubectl (with built-in kustomize) is not installed';
  return undefined;
}

export function renderYaml(path: string): string {
  return execFileSync('kubectl', ['kustomize', join(REPO, path)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function render(overlay: Overlay): Obj[] {
  return loadAll(renderYaml(`deploy/k8s/overlays/${overlay}`)) as Obj[];
}

export function find(objs: Obj[], kind: string, name: string, namespace?: string): Obj | undefined {
  return objs.find(
    (o) =>
      o.kind === kind &&
      o.metadata?.name === name &&
      (namespace === undefined || o.metadata?.namespace === namespace),
  );
}

/** A generated ConfigMap/Secret keeps its name as a prefix: `clawloops-config-<hash>`. */
export function findGenerated(objs: Obj[], kind: string, name: string): Obj | undefined {
  return objs.find(
    (o) => o.kind === kind && new RegExp(`^${name}(-[a-z0-9]{10})?$`).test(o.metadata?.name ?? ''),
  );
}

export function selects(selector: Record<string, string>, labels: Record<string, string> = {}) {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}
