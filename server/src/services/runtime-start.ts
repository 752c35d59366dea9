import type { SqlRunner } from '../../../schema/db/runtime-events.ts';
import { ConflictError } from '../graphql/errors.ts';
import { chooseProfile, type ProfileOwner } from './profile-choice.ts';
import { type Actor, actorOf, auditingDenials, type RuntimeRequest } from './runtime-access.ts';
import { assertWithinLimits, lockStarts, type RuntimeLimits } from './runtime-limits.ts';
import {
  isDeletedOrDeleting,
  type RuntimeRecord,
  runtimeColumns,
  runtimeFromRow,
} from './runtime-record.ts';
import {
  insertRunningRuntime,
  type LockedRuntime,
  type SpecPatch,
  sqlRunner,
  writeSpecChange,
} from './runtime-spec-change.ts';
import { assertOwnerActive, changeRuntime, MAX_RUNTIMES_PER_USER } from './runtimes.ts';

export interface StartOptions {
  /** Profile to run with; null/absent: the runtime's current one (a new runtime: the default). */
  profile?: string | null;
  limits: RuntimeLimits;
}

/**
 * Asks for the runtime to run. Without an id: the viewer's own runtime, created on first start (and
 * again once the previous one is Deleted). Starting a runtime that should already run is a no-op,
 * except after a failure (a retry: new restart nonce) or with another profile (the workload is
 * replaced with the new one). Each start copies the profile's current values into the spec, and is
 * refused when it would exceed a running-runtime limit.
 */
export function startRuntime(
  req: RuntimeRequest,
  runtimeId: string | null | undefined,
  opts: StartOptions,
): Promise<RuntimeRecord> {
  if (runtimeId)
    return changeRuntime(
      req,
      runtimeId,
      'runtime.start',
      (current, actor, run) => startPatch(current, actor, run, opts),
      { startsRuntime: true },
    );
  return auditingDenials(req, 'runtime.start', null, (viewer) =>
    req.em.transactional(async (em) => {
      const actor = actorOf(req, viewer);
      const run = sqlRunner(em);
      await lockStarts(run);
      const [owner] = await run('select status, role from users where id = ? for update', [
        viewer.userId,
      ]);
      const ownerFacts = {
        ownerStatus: String(owner?.status),
        ownerUsername: viewer.username,
        ownerRole: String(owner?.role),
      };
      assertOwnerActive(ownerFacts);
      const rows = await run(
        `select ${runtimeColumns('r')} from runtimes r
          where r.owner_id = ? and r.phase <> 'Deleted' order by r.created_at desc for update`,
        [viewer.userId],
      );
      const live = rows.map((r) => runtimeFromRow(r));
      const current = live.find((r) => !isDeletedOrDeleting(r));
      if (current) {
        const patch = await startPatch({ ...current, ...ownerFacts }, actor, run, opts);
        return patch ? writeSpecChange(em, current, patch, actor) : current;
      }
      if (live.length >= MAX_RUNTIMES_PER_USER) throw limitReached(live);
      const self = { id: viewer.userId, username: viewer.username, isViewer: true };
      const chosen = await chooseProfile(
        run,
        { ...self, role: ownerFacts.ownerRole },
        opts.profile ?? null,
      );
      await assertWithinLimits(run, opts.limits, self);
      return insertRunningRuntime(em, viewer.userId, actor, chosen);
    }),
  );
}

/** Recreates the workload (new restart nonce) with the profile's current values; a stopped runtime is started. */
export function restartRuntime(
  req: RuntimeRequest,
  runtimeId: string,
  opts: Pick<StartOptions, 'limits'>,
): Promise<RuntimeRecord> {
  return changeRuntime(
    req,
    runtimeId,
    'runtime.restart',
    async (current, actor, run) => {
      assertOwnerActive(current);
      const chosen = await chooseProfile(run, ownerOf(current, actor), current.profile);
      if (current.desiredState !== 'running')
        await assertWithinLimits(run, opts.limits, ownerOf(current, actor));
      return {
        desiredState: 'running',
        restartNonce: current.restartNonce + 1,
        profile: chosen.name,
        profileSpec: chosen.spec,
        action: 'runtime.restart',
        reason: 'RestartRequested',
        message: `Restart requested by ${actor.viewer.username}`,
      };
    },
    { startsRuntime: true },
  );
}

async function startPatch(
  current: LockedRuntime,
  actor: Actor,
  run: SqlRunner,
  opts: StartOptions,
): Promise<SpecPatch | null> {
  assertOwnerActive(current);
  const running = current.desiredState === 'running';
  const switching = opts.profile != null && opts.profile !== current.profile;
  if (running && current.phase !== 'Failed' && !switching) return null;
  const owner = ownerOf(current, actor);
  const chosen = await chooseProfile(run, owner, opts.profile ?? current.profile);
  if (!running) await assertWithinLimits(run, opts.limits, owner);
  const by = actor.viewer.username;
  const withProfile = { action: 'runtime.start', profile: chosen.name, profileSpec: chosen.spec };
  const detail = switching ? { profile: chosen.name, previousProfile: current.profile } : undefined;
  if (!running)
    return {
      ...withProfile,
      desiredState: 'running',
      reason: 'StartRequested',
      message: `Start requested by ${by}${switching ? ` with profile ${chosen.name}` : ''}`,
      detail,
    };
  if (switching)
    return {
      ...withProfile,
      reason: 'ProfileChanged',
      message: `Profile changed to ${chosen.name} by ${by}`,
      detail,
    };
  return {
    ...withProfile,
    restartNonce: current.restartNonce + 1,
    reason: 'RetryRequested',
    message: `Retry requested by ${by}`,
  };
}

function ownerOf(current: LockedRuntime, actor: Actor): ProfileOwner {
  return {
    id: current.ownerId,
    username: current.ownerUsername,
    role: current.ownerRole,
    isViewer: actor.viewer.userId === current.ownerId,
  };
}

function limitReached(live: RuntimeRecord[]): ConflictError {
  return live.some(isDeletedOrDeleting)
    ? new ConflictError(
        'Your previous runtime is still being deleted. Try again once it is gone.',
        'RUNTIME_DELETING',
      )
    : new ConflictError(`You already have ${MAX_RUNTIMES_PER_USER} runtime(s).`, 'RUNTIME_LIMIT');
}
