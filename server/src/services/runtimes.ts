import type { EntityManager } from '@mikro-orm/postgresql';
import type { SqlRunner } from '../../../schema/db/runtime-events.ts';
import type { RetentionPolicy } from '../../../schema/domain/enums.ts';
import { ConflictError, NotFoundError } from '../graphql/errors.ts';
import {
  type Actor,
  actorOf,
  assertCanActOn,
  auditingDenials,
  isUuid,
  type RuntimeRequest,
  systemViewer,
} from './runtime-access.ts';
import { lockStarts } from './runtime-limits.ts';
import {
  isDeletedOrDeleting,
  type RuntimeRecord,
  runtimeColumns,
  runtimeFromRow,
} from './runtime-record.ts';
import {
  type LockedRuntime,
  lockRuntime,
  type SpecPatch,
  sqlRunner,
  writeSpecChange,
} from './runtime-spec-change.ts';

/**
 * How many runtimes (not yet Deleted) one user may have. One for now; the rest of the code takes it
 * from here, so allowing more is a change of this number plus a way to pick one in `startRuntime()`.
 */
export const MAX_RUNTIMES_PER_USER = 1;

type Decide = (
  current: LockedRuntime,
  actor: Actor,
  run: SqlRunner,
) => SpecPatch | null | Promise<SpecPatch | null>;

export function stopRuntime(req: RuntimeRequest, runtimeId: string): Promise<RuntimeRecord> {
  return changeRuntime(req, runtimeId, 'runtime.stop', (current, actor) =>
    current.desiredState === 'stopped'
      ? null
      : {
          desiredState: 'stopped',
          action: 'runtime.stop',
          reason: 'StopRequested',
          message: `Stop requested by ${actor.viewer.username}`,
        },
  );
}

/** Marks the runtime for deletion; the orchestrator tears it down and keeps or wipes the workspace. */
export function deleteRuntime(
  req: RuntimeRequest,
  runtimeId: string,
  retention: RetentionPolicy,
): Promise<RuntimeRecord> {
  return changeRuntime(req, runtimeId, 'runtime.delete', (_current, actor) => ({
    desiredState: 'deleted',
    retentionPolicy: retention,
    action: 'runtime.delete',
    reason: 'DeleteRequested',
    message: `Deletion requested by ${actor.viewer.username} (workspace ${retention === 'wipe' ? 'wiped' : 'preserved'})`,
    detail: { retention },
  }));
}

/**
 * Desired ⇒ stopped for every runtime of `userId` that should run, in the caller's transaction (an
 * admin disabling a user). Each gets its event, audit row and NOTIFY. Returns the ids it stopped.
 */
export async function stopRuntimesOfUser(
  em: EntityManager,
  userId: string,
  actorId: string,
): Promise<string[]> {
  if (!em.isInTransaction())
    return em.transactional((tem) => stopRuntimesOfUser(tem, userId, actorId));
  const run = sqlRunner(em);
  const [actorRow] = await run('select username, role from users where id = ?', [actorId]);
  const actor: Actor = { viewer: systemViewer(actorId, actorRow), ip: null };
  const rows = await run(
    `select ${runtimeColumns('r')} from runtimes r
      where r.owner_id = ? and r.desired_state = 'running' order by r.created_at for update`,
    [userId],
  );
  const stopped: string[] = [];
  for (const current of rows.map((r) => runtimeFromRow(r))) {
    await writeSpecChange(
      em,
      current,
      {
        desiredState: 'stopped',
        action: 'runtime.stop',
        reason: 'OwnerDisabled',
        message: `Stopped by ${actor.viewer.username}: the owner was disabled`,
        detail: { ownerDisabled: true },
      },
      actor,
    );
    stopped.push(current.id);
  }
  return stopped;
}

export function assertOwnerActive(
  current: Pick<LockedRuntime, 'ownerStatus' | 'ownerUsername'>,
): void {
  if (current.ownerStatus !== 'active') {
    throw new ConflictError(
      `${current.ownerUsername} is disabled; enable the account first.`,
      'OWNER_DISABLED',
    );
  }
}

/**
 * Lock, authorise, refuse deleted runtimes, apply `decide` (null = already so: no write). With
 * `startsRuntime` (the change may make it desired running) starts are serialised first, so `decide`
 * can count running runtimes against the limits (see runtime-limits.ts).
 */
export function changeRuntime(
  req: RuntimeRequest,
  runtimeId: string,
  action: string,
  decide: Decide,
  opts: { startsRuntime?: boolean } = {},
): Promise<RuntimeRecord> {
  return auditingDenials(req, action, runtimeId, (viewer) => {
    if (!isUuid(runtimeId)) throw new NotFoundError('Runtime');
    return req.em.transactional(async (em) => {
      const run = sqlRunner(em);
      if (opts.startsRuntime) await lockStarts(run);
      const current = await lockRuntime(run, runtimeId);
      if (!current) throw new NotFoundError('Runtime');
      assertCanActOn(viewer, current.ownerId);
      if (isDeletedOrDeleting(current)) {
        throw new ConflictError('This runtime is deleted or being deleted.', 'RUNTIME_DELETED');
      }
      const actor = actorOf(req, viewer);
      const patch = await decide(current, actor, run);
      return patch ? writeSpecChange(em, current, patch, actor) : current;
    });
  });
}
