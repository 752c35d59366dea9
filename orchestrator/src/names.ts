import { shortHash } from '../../schema/domain/slugs.ts';

/**
 * Every Kubernetes name, label and annotation the orchestrator writes comes from here
 * (KubeSpawner `slugs.py`). Names are deterministic (never `generateName`): applying twice must hit
 * the same object, and a crashed orchestrator must find what its predecessor created.
 *
 * Names always carry a hash of the raw input, so two inputs that slug to the same text (case,
 * replaced characters, truncation) still get different names.
 */

/** Value of `app.kubernetes.io/managed-by` on everything we create. */
export const MANAGED_BY = 'clawloops';

export const LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  name: 'app.kubernetes.io/name',
  component: 'app.kubernetes.io/component',
  runtimeId: 'clawloops.io/runtime-id',
  ownerId: 'clawloops.io/owner-id',
} as const;

export const ANNOTATIONS = {
  /** The controller's `RuntimeTarget.templateHash` the pod was built from. */
  templateHash: 'clawloops.io/template-hash',
  /** Hash of the rendered pod spec: catches driver/option changes the template hash cannot see. */
  specHash: 'clawloops.io/spec-hash',
} as const;

/** `app.kubernetes.io/component` values, one per object role. */
export type Component =
  | 'anchor'
  | 'credentials'
  | 'workspace'
  | 'gateway'
  | 'network-policy'
  | 'ingress';

const MAX_LABEL = 63;
const HASH_LENGTH = 8;

/** RFC 1123 label: what Kubernetes requires of most names (Services need DNS-1035, see below). */
export function isDns1123Label(value: string): boolean {
  return value.length <= MAX_LABEL && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value);
}

/** RFC 1035 label (starts with a letter): the rule for Service names. */
export function isDns1035Label(value: string): boolean {
  return value.length <= MAX_LABEL && /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(value);
}

/** A valid label value (may be empty). */
export function isLabelValue(value: string): boolean {
  return value.length <= MAX_LABEL && /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(value);
}

/**
 * `<prefix>-<slug>-<hash>`: a DNS-1035 label (so valid for every kind, Services included) of at most
 * 63 characters. `prefix` must be a short lowercase word starting with a letter.
 */
export function hashedName(prefix: string, value: string): string {
  if (!/^[a-z][a-z0-9]{0,9}$/.test(prefix)) throw new Error(`invalid name prefix: ${prefix}`);
  const hash = shortHash(value, HASH_LENGTH);
  const room = MAX_LABEL - prefix.length - hash.length - 2;
  const slug = value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, room)
    .replace(/^-+|-+$/g, '');
  return slug ? `${prefix}-${slug}-${hash}` : `${prefix}-${hash}`;
}

/**
 * Name shared by every per-runtime object (anchor ConfigMap, Secret, Pod, Service, NetworkPolicy,
 * IngressRoute): kinds have separate name spaces, and one name makes
 * `kubectl get pod,svc,cm,secret <name>` show a runtime at a glance.
 */
export function runtimeObjectName(runtimeId: string): string {
  return hashedName('rt', runtimeId);
}

/** The owner's workspace PVC: one per owner, shared by (and outliving) their runtimes. */
export function workspaceClaimName(ownerId: string): string {
  return hashedName('ws', ownerId);
}

/**
 * Ids go into label values verbatim so informer events map back to the runtime without a lookup.
 * Database ids are UUIDs, which always fit; anything else is a programming error.
 */
function idLabelValue(id: string, what: string): string {
  if (!id || !isLabelValue(id)) throw new Error(`${what} is not a valid label value: ${id}`);
  return id;
}

/** Labels of every per-runtime object. */
export function runtimeLabels(
  runtimeId: string,
  ownerId: string,
  component: Component,
): Record<string, string> {
  return {
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.name]: 'openclaw',
    [LABELS.component]: component,
    [LABELS.runtimeId]: idLabelValue(runtimeId, 'runtime id'),
    [LABELS.ownerId]: idLabelValue(ownerId, 'owner id'),
  };
}

/**
 * Labels of per-owner objects (the workspace PVC). No runtime id: several runtimes of one owner
 * apply the same PVC, and a runtime-id label would flip between them.
 */
export function ownerLabels(ownerId: string, component: Component): Record<string, string> {
  return {
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.name]: 'openclaw',
    [LABELS.component]: component,
    [LABELS.ownerId]: idLabelValue(ownerId, 'owner id'),
  };
}

/** Selects exactly one runtime's gateway pod (Service selector, NetworkPolicy podSelector). */
export function gatewayPodSelector(runtimeId: string): Record<string, string> {
  return {
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.component]: 'gateway',
    [LABELS.runtimeId]: idLabelValue(runtimeId, 'runtime id'),
  };
}

/** Label selector (string form) for everything we manage, optionally one component only. */
export function managedSelector(component?: Component): string {
  const base = `${LABELS.managedBy}=${MANAGED_BY}`;
  return component ? `${base},${LABELS.component}=${component}` : base;
}

/** The runtime an object belongs to, from its labels; undefined for objects not per-runtime. */
export function runtimeIdOf(labels: Record<string, string> | undefined): string | undefined {
  if (labels?.[LABELS.managedBy] !== MANAGED_BY) return undefined;
  return labels[LABELS.runtimeId] || undefined;
}
