import type { EntityManager } from '@mikro-orm/postgresql';
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
import {
  isDeletedOrDeleting,
  type RuntimeRecord,
  runtimeColumns,
  runtimeFromRow,
} from './runtime-record.ts';
import {
  insertRunningRuntime,
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

type Decide = (current: LockedRuntime, actor: Actor) => SpecPatch | null;

/**
 * Asks for the runtime to run. Without an id: the viewer's own runtime, created on first start (and
 * again once the previous one is Deleted). Starting a runtime that should already run is a no-op,
 * except after a failure, where it is a retry (new restart nonce).
 */
export function startRuntime(
  req: RuntimeRequest,
  runtimeId?: string | null,
): Promise<RuntimeRecord> {
  if (runtimeId) return changeRuntime(req, runtimeId, 'runtime.start', startPatch);
  return auditingDenials(req, 'runtime.start', null, (viewer) =>
    req.em.transactional(async (em) => {
      const actor = actorOf(req, viewer);
      const run = sqlRunner(em);
      // Serialises concurrent starts of one user: the second waits here, then finds the first's runtime.
      const [owner] = await run('select status from users where id = ? for update', [
        viewer.userId,
      ]);
      const ownerFacts = { ownerStatus: String(owner?.status), ownerUsername: viewer.username };
      assertOwnerActive(ownerFacts);
      const rows = await run(
        `select ${runtimeColumns('r')} from runtimes r
          where r.owner_id = ? and r.phase <> 'Deleted' order by r.created_at desc for update`,
        [viewer.userId],
      );
      const live = rows.map((r) => runtimeFromRow(r));
      const current = live.find((r) => !isDeletedOrDeleting(r));
      if (current) {
        const patch = startPatch({ ...current, ...ownerFacts }, actor);
        return patch ? writeSpecChange(em, current, patch, actor) : current;
      }
      if (live.length >= MAX_RUNTIMES_PER_USER) throw limitReached(live);
      return insertRunningRuntime(em, viewer.userId, actor);
    }),
  );
}

function limitReached(live: RuntimeRecord[]): ConflictError {
  return live.some(isDeletedOrDeleting)
    ? new ConflictError(
        'Your previous runtime is still being deleted. Try again once it is gone.',
        'RUNTIME_DELETING',
      )
    : new ConflictError(`You already have ${MAX_RUNTIMES_PER_USER} runtime(s).`, 'RUNTIME_LIMIT');
}

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

/** Recreates the workload (new restart nonce); a stopped runtime is started. */
export function restartRuntime(req: RuntimeRequest, runtimeId: string): Promise<RuntimeRecord> {
  return changeRuntime(req, runtimeId, 'runtime.restart', (current, actor) => {
    assertOwnerActive(current);
    return {
      desiredState: 'running',
      restartNonce: current.restartNonce + 1,
      action: 'runtime.restart',
      reason: 'RestartRequested',
      message: `Restart requested by ${actor.viewer.username}`,
    };
  });
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

function startPatch(current: LockedRuntime, actor: Actor): SpecPatch | null {
  assertOwnerActive(current);
  if (current.desiredState === 'running' && current.phase !== 'Failed') return null;
  if (current.desiredState === 'running') {
    return {
      restartNonce: current.restartNonce + 1,
      action: 'runtime.start',
      reason: 'RetryRequested',
      message: `Retry requested by ${actor.viewer.username}`,
    };
  }
  return {
    desiredState: 'running',
    action: 'runtime.start',
    reason: 'StartRequested',
    message: `Start requested by ${actor.viewer.username}`,
  };
}

function assertOwnerActive(current: Pick<LockedRuntime, 'ownerStatus' | 'ownerUsername'>): void {
  if (current.ownerStatus !== 'active') {
    throw new ConflictError(
      `${current.ownerUsername} is disabled; enable the account first.`,
      'OWNER_DISABLED',
    );
  }
}

/** Lock, authorise, refuse deleted runtimes, apply `decide` (null = already so: no write). */
function changeRuntime(
  req: RuntimeRequest,
  runtimeId: string,
  action: string,
  decide: Decide,
): Promise<RuntimeRecord> {
  return auditingDenials(req, action, runtimeId, (viewer) => {
    if (!isUuid(runtimeId)) throw new NotFoundError('Runtime');
    return req.em.transactional(async (em) => {
      const current = await lockRuntime(sqlRunner(em), runtimeId);
      if (!current) throw new NotFoundError('Runtime');
      assertCanActOn(viewer, current.ownerId);
      if (isDeletedOrDeleting(current)) {
        throw new ConflictError('This runtime is deleted or being deleted.', 'RUNTIME_DELETED');
      }
      const actor = actorOf(req, viewer);
      const patch = decide(current, actor);
      return patch ? writeSpecChange(em, current, patch, actor) : current;
    });
  });
}
