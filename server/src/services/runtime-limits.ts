import type { SqlRunner } from '../../../schema/db/runtime-events.ts';
import type { Config } from '../config.ts';
import { RuntimeLimitExceededError } from '../graphql/errors.ts';

/**
 * Limits on runtimes that are desired running ("running" here: the owner asked for it to run,
 * whatever the phase — a Pending, Starting or Failed runtime holds its place until stopped).
 *
 * Running-runtime limits are enforced where a runtime becomes desired running, and a start over a
 * limit is REFUSED with `RuntimeLimitExceededError` (JupyterHub's `active_server_limit` → 429): a
 * queued "running" request could wait for hours, until someone else stops, which nobody expects.
 * Concurrent STARTS are different: they are bounded by the orchestrator (`MAX_CONCURRENT_STARTS`)
 * and QUEUED, visible as Pending/Queued — a start slot frees within a minute, so waiting is the
 * better answer there (JupyterHub's `concurrent_spawn_limit` 429 made users hammer refresh, #3396).
 * A per-user concurrent-start limit needs no mechanism of its own: a user has one runtime, a start
 * of a runtime already starting is a no-op, so each user has at most one start in flight.
 */
export interface RuntimeLimits {
  /** Platform-wide; null: none. */
  global: number | null;
  /** For users without an override. */
  perUser: number;
}

export function runtimeLimits(
  config: Pick<Config, 'MAX_RUNNING_RUNTIMES' | 'MAX_RUNNING_RUNTIMES_PER_USER'>,
): RuntimeLimits {
  return {
    global: config.MAX_RUNNING_RUNTIMES ?? null,
    perUser: config.MAX_RUNNING_RUNTIMES_PER_USER,
  };
}

export interface RunningCounts {
  /** Desired-running runtimes, platform-wide. */
  total: number;
  /** Desired-running runtimes of the owner. */
  owner: number;
  /** The owner's override (`users.max_running_runtimes`), if any. */
  ownerLimit: number | null;
}

/** Whether one more running runtime of this owner fits; the refusal says which limit and why. Pure. */
export function limitVerdict(
  limits: RuntimeLimits,
  counts: RunningCounts,
  owner: { username: string; isViewer: boolean },
): RuntimeLimitExceededError | null {
  const userLimit = counts.ownerLimit ?? limits.perUser;
  if (counts.owner + 1 > userLimit) {
    const who = owner.isViewer ? 'You' : owner.username;
    const message =
      userLimit === 0
        ? `${who} may not run runtimes. An administrator can allow it.`
        : `${who} may run at most ${plural(userLimit, 'runtime')} at once, and ${counts.owner} ${counts.owner === 1 ? 'is' : 'are'} running. Stop one first.`;
    return new RuntimeLimitExceededError('user', userLimit, counts.owner, message);
  }
  if (limits.global !== null && counts.total + 1 > limits.global) {
    return new RuntimeLimitExceededError(
      'global',
      limits.global,
      counts.total,
      `This ClawLoops runs at most ${plural(limits.global, 'runtime')} at once, and ${counts.total} ${counts.total === 1 ? 'is' : 'are'} running. Try again when one stops, or ask an administrator to raise the limit.`,
    );
  }
  return null;
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/**
 * Serialises every transaction that may make a runtime desired running, across all server replicas,
 * until it commits: count-then-write is then race-free (two starts at the limit: exactly one wins).
 * Take it before any row lock, so lock order is the same everywhere (no deadlock). A start
 * transaction lasts milliseconds, far below how fast the orchestrator can start runtimes.
 */
export async function lockStarts(run: SqlRunner): Promise<void> {
  await run(`select pg_advisory_xact_lock(hashtext('clawloops:runtime-start'))`, []);
}

/** Refuses (throws) when one more running runtime of `ownerId` would exceed a limit. Hold `lockStarts`. */
export async function assertWithinLimits(
  run: SqlRunner,
  limits: RuntimeLimits,
  owner: { id: string; username: string; isViewer: boolean },
): Promise<void> {
  const [row] = await run(
    `select (select count(*) from runtimes where desired_state = 'running') as total,
            (select count(*) from runtimes where desired_state = 'running' and owner_id = ?) as owner,
            (select max_running_runtimes from users where id = ?) as owner_limit`,
    [owner.id, owner.id],
  );
  const counts: RunningCounts = {
    total: Number(row?.total ?? 0),
    owner: Number(row?.owner ?? 0),
    ownerLimit: row?.owner_limit == null ? null : Number(row.owner_limit),
  };
  const refusal = limitVerdict(limits, counts, owner);
  if (refusal) throw refusal;
}

/** The limits in force and the platform-wide count they apply to (the admin overview). */
export async function limitsOverview(
  run: SqlRunner,
  limits: RuntimeLimits,
): Promise<RuntimeLimits & { running: number }> {
  const [row] = await run(`select count(*) as n from runtimes where desired_state = 'running'`, []);
  return { ...limits, running: Number(row?.n ?? 0) };
}
