import type { KubernetesObject } from '@kubernetes/client-node';

/*
 * What a forced server-side apply cannot undo. Apply merges associative lists (Service `ports` keyed
 * by port+protocol, `ownerReferences` by uid, container lists by name) item by item, and removes
 * only items the applier itself put there: an item a human or another controller added survives
 * every apply. It either makes the merged object invalid (422, e.g. a hand-added port named "http"
 * like ours: Duplicate value) or stays beside ours for good (drift no apply removes).
 *
 * Repair: a merge patch, as our own field manager, that sets exactly those lists to the desired ones
 * (a merge patch replaces lists whole), then the usual apply. Chosen over deleting and recreating
 * the object: no moment without the Service (no new clusterIP, no route pointing at nothing), no
 * read (the Role grants no `get` on these kinds) and no new permission (`patch` is what apply
 * needs already). An invalid desired object cannot cost a working one either: the patch fails the
 * same way and the object stays as it was. The price is an `Update` entry of ours in managedFields
 * co-owning the repaired items, so a later apply that drops one of them leaves it behind; that is
 * again an item the apply cannot remove, and the same repair handles it.
 */

/** A list of the desired object, reached through maps only: `['spec', 'ports']`. */
interface ListAt {
  path: string[];
  value: unknown[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function listsOf(value: unknown, path: string[] = []): ListAt[] {
  if (Array.isArray(value)) return path.length > 0 ? [{ path, value }] : [];
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([key, child]) =>
    path.length === 0 && (key === 'apiVersion' || key === 'kind' || key === 'status')
      ? []
      : listsOf(child, [...path, key]),
  );
}

function at(value: unknown, path: string[]): unknown {
  return path.reduce<unknown>((cur, key) => (isObject(cur) ? cur[key] : undefined), value);
}

/** The Status `details.causes[].field`s of a 422 (client-node keeps the body as text or JSON). */
export function invalidFields(body: unknown): string[] {
  let status = body;
  if (typeof body === 'string') {
    try {
      status = JSON.parse(body);
    } catch {
      return [];
    }
  }
  const causes = isObject(status) && isObject(status.details) ? status.details.causes : undefined;
  return Array.isArray(causes)
    ? causes.flatMap((c) => (isObject(c) && typeof c.field === 'string' ? [c.field] : []))
    : [];
}

export interface ListEvidence {
  /** The object as the apply stored it: a list longer than ours holds items someone else added. */
  stored?: unknown;
  /** Fields a 422 blamed, e.g. `spec.ports[1].name`: the lists they lie in are replaced. */
  invalidFields?: readonly string[];
}

/**
 * The merge patch that puts back the lists of `desired` the evidence points at, or undefined when
 * there is nothing a list replacement could fix. Field names are client-node's, which equal the
 * wire names for every list reached through maps only (the renamed fields, e.g. `_from`, are inside
 * list items).
 */
export function listRepairPatch(
  desired: KubernetesObject,
  evidence: ListEvidence,
): KubernetesObject | undefined {
  const blamed = (path: string[]) => {
    const name = path.join('.');
    return (evidence.invalidFields ?? []).some(
      (f) => f === name || f.startsWith(`${name}[`) || f.startsWith(`${name}.`),
    );
  };
  const longer = (list: ListAt) => {
    const have = at(evidence.stored, list.path);
    return Array.isArray(have) && have.length > list.value.length;
  };
  const lists = listsOf(desired).filter((l) => blamed(l.path) || longer(l));
  if (lists.length === 0) return undefined;
  const patch: Record<string, unknown> = {
    apiVersion: desired.apiVersion,
    kind: desired.kind,
    metadata: { name: desired.metadata?.name, namespace: desired.metadata?.namespace },
  };
  for (const { path, value } of lists) {
    let cur = patch;
    for (const key of path.slice(0, -1)) {
      if (!isObject(cur[key])) cur[key] = {};
      cur = cur[key] as Record<string, unknown>;
    }
    cur[path[path.length - 1] as string] = value;
  }
  return patch as KubernetesObject;
}

/** `spec.ports` for the log. */
export function repairedLists(patch: KubernetesObject): string[] {
  return listsOf(patch).map((l) => l.path.join('.'));
}
