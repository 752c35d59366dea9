/**
 * "Converged, nothing duplicated, nothing orphaned": compares the runtimes' desired state in
 * PostgreSQL with every object the orchestrator manages in the simulator's store. The comparison is
 * a pure function (`convergenceViolations`, table-tested in cluster-check.test.ts); the loaders
 * around it read the two sides.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import {
  ANNOTATIONS,
  LABELS,
  managedSelector,
  runtimeObjectName,
  workspaceClaimName,
} from '../../orchestrator/src/names.ts';
import { loadRuntime } from '../../orchestrator/src/status/runtime-row.ts';
import { buildTarget, type TargetSettings } from '../../orchestrator/src/target.ts';
import type { DesiredState, RetentionPolicy, RuntimePhase } from '../../schema/domain/enums.ts';
import type { KubeSim } from '../kube-sim/sim.ts';
import type { KubeObject } from '../kube-sim/types.ts';

export interface RuntimeFacts {
  id: string;
  ownerId: string;
  /** Creation order among the owner's runtimes (epoch ms). */
  createdAt: number;
  desiredState: DesiredState;
  retentionPolicy: RetentionPolicy;
  generation: number;
  observedGeneration: number;
  phase: RuntimePhase;
  /** Template hash the gateway pod must carry; null unless desired running. */
  templateHash: string | null;
}

/** Per-runtime kinds (named `runtimeObjectName(id)`, labelled with the runtime id). */
export const RUNTIME_KINDS = [
  ['v1', 'ConfigMap'],
  ['v1', 'Secret'],
  ['v1', 'Service'],
  ['networking.k8s.io/v1', 'NetworkPolicy'],
  ['traefik.io/v1alpha1', 'IngressRoute'],
  ['v1', 'Pod'],
] as const;

export type ClusterObjects = Record<string, KubeObject[]>;

const PHASE_OF: Record<DesiredState, RuntimePhase> = {
  running: 'Running',
  stopped: 'Stopped',
  deleted: 'Deleted',
};

/** Every way the cluster and the status columns differ from the desired state; empty = converged. */
export function convergenceViolations(runtimes: RuntimeFacts[], objects: ClusterObjects): string[] {
  const out: string[] = [];
  const byId = new Map(runtimes.map((r) => [r.id, r]));
  const anchors = new Map<string, KubeObject>();
  for (const cm of objects.ConfigMap ?? []) {
    const id = cm.metadata.labels?.[LABELS.runtimeId];
    if (id) anchors.set(id, cm);
  }
  for (const r of runtimes) out.push(...statusViolations(r));
  for (const [, kind] of RUNTIME_KINDS) {
    const present = new Set<string>();
    for (const o of objects[kind] ?? []) {
      const id = o.metadata.labels?.[LABELS.runtimeId];
      const what = `${kind} ${o.metadata.name}`;
      if (!id) {
        out.push(`${what}: no runtime-id label`);
        continue;
      }
      present.add(id);
      out.push(...objectViolations(what, kind, o, id, byId.get(id), anchors.get(id)));
    }
    for (const r of runtimes) {
      const required = r.desiredState === 'running';
      if (required && !present.has(r.id)) out.push(`runtime ${r.id} (running): no ${kind}`);
    }
  }
  out.push(...claimViolations(runtimes, objects.PersistentVolumeClaim ?? []));
  return out;
}

function statusViolations(r: RuntimeFacts): string[] {
  const want = PHASE_OF[r.desiredState];
  if (r.phase === want && r.observedGeneration === r.generation) return [];
  return [
    `runtime ${r.id}: desired ${r.desiredState} (generation ${r.generation}), status ${r.phase} (observed ${r.observedGeneration})`,
  ];
}

function objectViolations(
  what: string,
  kind: string,
  o: KubeObject,
  id: string,
  runtime: RuntimeFacts | undefined,
  anchor: KubeObject | undefined,
): string[] {
  const out: string[] = [];
  if (o.metadata.name !== runtimeObjectName(id))
    out.push(`${what}: duplicate (expected name ${runtimeObjectName(id)})`);
  if (o.metadata.deletionTimestamp) out.push(`${what}: stuck terminating`);
  if (!runtime) return [...out, `${what}: orphan (no runtime ${id})`];
  if (runtime.desiredState === 'deleted')
    return [...out, `${what}: orphan (runtime ${id} is deleted)`];
  if (kind !== 'ConfigMap') {
    const owner = o.metadata.ownerReferences?.find((ref) => ref.controller);
    if (!anchor || owner?.uid !== anchor.metadata.uid)
      out.push(`${what}: not owned by the runtime's anchor`);
  }
  if (kind === 'Pod') {
    if (runtime.desiredState === 'stopped') out.push(`${what}: pod of a stopped runtime`);
    const hash = o.metadata.annotations?.[ANNOTATIONS.templateHash];
    if (runtime.templateHash && hash !== runtime.templateHash)
      out.push(`${what}: template ${hash}, desired ${runtime.templateHash}`);
    if (!podReady(o)) out.push(`${what}: not ready`);
  }
  return out;
}

function podReady(pod: KubeObject): boolean {
  const status = pod.status as
    | { phase?: string; conditions?: { type: string; status: string }[] }
    | undefined;
  return (
    status?.phase === 'Running' &&
    status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true
  );
}

/**
 * Workspace claims: one per owner. Required while an owner's runtime should run; gone once the
 * owner's latest runtime was deleted with `wipe`; otherwise (stopped, preserved) either is correct.
 */
function claimViolations(runtimes: RuntimeFacts[], claims: KubeObject[]): string[] {
  const out: string[] = [];
  const owners = new Map<string, RuntimeFacts[]>();
  for (const r of [...runtimes].sort((a, b) => a.createdAt - b.createdAt))
    owners.set(r.ownerId, [...(owners.get(r.ownerId) ?? []), r]);
  const byName = new Map(claims.map((c) => [c.metadata.name, c]));
  for (const c of claims) {
    const owner = c.metadata.labels?.[LABELS.ownerId];
    const what = `PersistentVolumeClaim ${c.metadata.name}`;
    if (!owner || !owners.has(owner)) out.push(`${what}: orphan (no runtime of owner ${owner})`);
    else if (c.metadata.name !== workspaceClaimName(owner)) out.push(`${what}: duplicate`);
    if (c.metadata.deletionTimestamp) out.push(`${what}: stuck terminating`);
  }
  for (const [owner, list] of owners) {
    const claim = byName.get(workspaceClaimName(owner));
    const latest = list.at(-1) as RuntimeFacts;
    if (list.some((r) => r.desiredState === 'running') && !claim)
      out.push(`owner ${owner}: runtime should run but has no workspace claim`);
    if (latest.desiredState === 'deleted' && latest.retentionPolicy === 'wipe' && claim)
      out.push(`owner ${owner}: workspace claim left after a wipe`);
  }
  return out;
}

/** Every managed object in `namespace`, read straight from the store (no request, no fault). */
export function simObjects(sim: KubeSim, namespace: string): ClusterObjects {
  const labelSelector = managedSelector();
  const out: ClusterObjects = {};
  for (const [apiVersion, kind] of [...RUNTIME_KINDS, ['v1', 'PersistentVolumeClaim'] as const])
    out[kind] = sim.list(apiVersion, kind, { namespace, labelSelector });
  return out;
}

/** Desired and observed state of every runtime, with the template hash the orchestrator should apply. */
export async function runtimeFacts(orm: MikroORM, target: TargetSettings): Promise<RuntimeFacts[]> {
  const em = orm.em.fork();
  const rows = await em.getConnection().execute<Record<string, unknown>[]>(
    `select id, owner_id, extract(epoch from created_at) * 1000 as created, desired_state, retention_policy,
            generation, observed_generation, phase
       from runtimes order by created_at`,
  );
  const facts: RuntimeFacts[] = [];
  for (const r of rows) {
    const id = String(r.id);
    const running = r.desired_state === 'running';
    const row = running ? await loadRuntime(em, id) : null;
    facts.push({
      id,
      ownerId: String(r.owner_id),
      createdAt: Number(r.created),
      desiredState: r.desired_state as DesiredState,
      retentionPolicy: r.retention_policy as RetentionPolicy,
      generation: Number(r.generation),
      observedGeneration: Number(r.observed_generation),
      phase: r.phase as RuntimePhase,
      templateHash: row ? buildTarget(row, target).templateHash : null,
    });
  }
  return facts;
}

/** The spec columns (only the server writes them): compared before and after the orchestrator ran. */
export async function specSnapshot(orm: MikroORM): Promise<string> {
  const rows = await orm.em
    .fork()
    .getConnection()
    .execute(
      `select id, owner_id, desired_state, generation, retention_policy, profile, runtime_version,
              restart_nonce, spec_updated_at from runtimes order by id`,
    );
  return JSON.stringify(rows);
}
