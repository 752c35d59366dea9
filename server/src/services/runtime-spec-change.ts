import type { EntityManager } from '@mikro-orm/postgresql';
import { appendRuntimeEvent, type SqlRunner } from '../../../schema/db/runtime-events.ts';
import { CHANNELS } from '../../../schema/domain/channels.ts';
import type { DesiredState, RetentionPolicy } from '../../../schema/domain/enums.ts';
import type { RuntimeProfile } from '../../../schema/domain/profiles.ts';
import { audit } from './audit.ts';
import type { Actor } from './runtime-access.ts';
import { type RuntimeRecord, runtimeColumns, runtimeFromRow } from './runtime-record.ts';

/** Runs statements on `em`'s open transaction (or autocommit when there is none). */
export function sqlRunner(em: EntityManager): SqlRunner {
  return (sql, params) =>
    em
      .getConnection()
      .execute<Record<string, unknown>[]>(sql, params, 'all', em.getTransactionContext());
}

/** A change to a runtime's spec. Only these columns are ever written by the server. */
export interface SpecPatch {
  desiredState?: DesiredState;
  retentionPolicy?: RetentionPolicy;
  restartNonce?: number;
  /** Profile name and the copy of its values (see profile-choice.ts); absent: unchanged. */
  profile?: string;
  profileSpec?: RuntimeProfile;
  /** Audit action, e.g. `runtime.start`. */
  action: string;
  /** CamelCase event reason, e.g. `StartRequested`. */
  reason: string;
  /** Sentence for the event, e.g. `Start requested by alice`. */
  message: string;
  detail?: Record<string, unknown>;
}

/** The platform itself acting (the idle culler): no user, a label in the audit log. */
export interface SystemActor {
  viewer: null;
  ip: null;
  /** `actor_label` of the audit row, e.g. `idle-culler`. */
  label: string;
}

export type SpecActor = Actor | SystemActor;

/** A runtime locked for update, with the owner facts the lifecycle rules need. */
export type LockedRuntime = RuntimeRecord & {
  ownerStatus: string;
  ownerUsername: string;
  ownerRole: string;
};

export async function lockRuntime(run: SqlRunner, id: string): Promise<LockedRuntime | null> {
  const rows = await run(
    `select ${runtimeColumns('r')}, u.status as owner_status, u.username as owner_username,
            u.role as owner_role
       from runtimes r join users u on u.id = r.owner_id where r.id = ? for update of r`,
    [id],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    ...runtimeFromRow(row),
    ownerStatus: String(row.owner_status),
    ownerUsername: String(row.owner_username),
    ownerRole: String(row.owner_role),
  };
}

/**
 * Writes one spec change in the caller's transaction: the spec columns (generation + 1), one
 * `SpecChanged` runtime event carrying the observed phase, one audit event, and a NOTIFY that wakes
 * the orchestrator on commit. Status columns are never touched here (single writer per column).
 */
export async function writeSpecChange(
  em: EntityManager,
  current: RuntimeRecord,
  patch: SpecPatch,
  actor: SpecActor,
): Promise<RuntimeRecord> {
  const desired = patch.desiredState ?? current.desiredState;
  // The reason of the change that stopped it; cleared when it should run (or be deleted) again.
  const stopReason =
    desired !== 'stopped'
      ? null
      : patch.desiredState === 'stopped'
        ? patch.reason
        : current.stopReason;
  const rows = await sqlRunner(em)(
    `update runtimes
        set desired_state = ?, retention_policy = ?, restart_nonce = ?, stop_reason = ?,
            profile = ?, profile_spec = coalesce(?::jsonb, profile_spec),
            generation = generation + 1, spec_updated_at = now()
      where id = ? returning ${runtimeColumns('')}`,
    [
      desired,
      patch.retentionPolicy ?? current.retentionPolicy,
      patch.restartNonce ?? current.restartNonce,
      stopReason,
      patch.profile ?? current.profile,
      patch.profileSpec ? JSON.stringify(patch.profileSpec) : null,
      current.id,
    ],
  );
  const updated = runtimeFromRow(rows[0] as Record<string, unknown>);
  await recordSpecChange(em, updated, patch, actor);
  return updated;
}

/** Creates a runtime that should be running, with its event, audit entry and NOTIFY. */
export async function insertRunningRuntime(
  em: EntityManager,
  ownerId: string,
  actor: Actor,
  profile: { name: string; spec: RuntimeProfile },
): Promise<RuntimeRecord> {
  const rows = await sqlRunner(em)(
    `insert into runtimes (id, owner_id, created_at, desired_state, generation, retention_policy,
                           profile, profile_spec, runtime_version, restart_nonce, spec_updated_at)
     values (?, ?, now(), 'running', 1, 'preserve', ?, ?::jsonb, '', 0, now())
     returning ${runtimeColumns('')}`,
    [crypto.randomUUID(), ownerId, profile.name, JSON.stringify(profile.spec)],
  );
  const created = runtimeFromRow(rows[0] as Record<string, unknown>);
  await recordSpecChange(
    em,
    created,
    {
      action: 'runtime.start',
      reason: 'Created',
      message: `Created and start requested by ${actor.viewer.username}`,
      detail: { created: true },
    },
    actor,
  );
  return created;
}

async function recordSpecChange(
  em: EntityManager,
  runtime: RuntimeRecord,
  patch: SpecPatch,
  actor: SpecActor,
): Promise<void> {
  const run = sqlRunner(em);
  await appendRuntimeEvent(run, {
    runtimeId: runtime.id,
    type: 'SpecChanged',
    phase: runtime.phase,
    reason: patch.reason,
    message: patch.message,
    actorId: actor.viewer?.userId ?? null,
  });
  // Queued on em's unit of work: flushed by the enclosing transaction, so it commits with the change.
  audit(em, actor, {
    action: patch.action,
    result: 'ok',
    targetType: 'runtime',
    targetId: runtime.id,
    ...(actor.viewer ? {} : { actorLabel: actor.label }),
    detail: {
      ownerId: runtime.ownerId,
      generation: runtime.generation,
      desiredState: runtime.desiredState,
      ...patch.detail,
    },
  });
  await run('select pg_notify(?, ?)', [CHANNELS.runtimeSpec, runtime.id]);
}
