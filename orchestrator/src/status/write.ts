/**
 * The ONLY writer of runtime status columns (phase, conditions, observedGeneration, lastError,
 * endpoint, readyAt, statusUpdatedAt) and of orchestrator-originated runtime events.
 *
 * Writes only on change: an unchanged observation costs no statement at all, so a steady-state resync
 * writes nothing. Status update, event append and NOTIFY commit together.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { appendRuntimeEvent, type SqlRunner } from '../../../schema/db/runtime-events.ts';
import { type Condition, sameConditions, setCondition } from '../../../schema/domain/conditions.ts';
import type { RuntimePhase } from '../../../schema/domain/enums.ts';
import { observeTransition } from '../metrics.ts';
import type { Plan } from '../reconcile/runtime.ts';
import type { RuntimeRow } from './runtime-row.ts';

export interface StatusChange {
  plan: Plan;
  generation: number;
  endpoint: string | null;
}

const EVENT_TYPES: Partial<Record<RuntimePhase, string>> = {
  Running: 'Ready',
  Failed: 'Failed',
  Stopped: 'Stopped',
  Deleted: 'Deleted',
};

/** Returns true when something was written. */
export async function writeStatus(
  em: EntityManager,
  row: RuntimeRow,
  change: StatusChange,
  now: Date,
): Promise<boolean> {
  const { plan } = change;
  const conditions = plan.conditions.reduce<Condition[]>(
    (list, c) => setCondition(list, c, now),
    row.conditions,
  );
  const unchanged =
    row.phase === plan.phase &&
    row.observedGeneration === change.generation &&
    row.lastError === plan.lastError &&
    row.endpoint === change.endpoint &&
    sameConditions(row.conditions, conditions);
  if (unchanged) return false;
  // Subscribers derive status from events: any change they should see gets one (a new generation
  // observed in the same phase included), repeated observations get none.
  const announce =
    row.phase !== plan.phase ||
    row.statusMessage !== plan.message ||
    row.observedGeneration !== change.generation;
  const conn = em.getConnection();
  let sinceSpec = 0;
  await conn.transactional(async (trx) => {
    const run: SqlRunner = (sql, params) => conn.execute(sql, params, 'all', trx);
    const updated = await run(
      `update runtimes set phase = ?, conditions = ?::jsonb, observed_generation = ?, last_error = ?, endpoint = ?,
              ready_at = case when ? then coalesce(ready_at, now()) else null end, status_updated_at = now()
        where id = ?
        returning extract(epoch from clock_timestamp() - spec_updated_at)::float8 as since_spec`,
      [
        plan.phase,
        JSON.stringify(conditions),
        change.generation,
        plan.lastError,
        change.endpoint,
        plan.phase === 'Running',
        row.id,
      ],
    );
    sinceSpec = Number((updated as { since_spec?: number }[])[0]?.since_spec ?? 0);
    if (announce) {
      await appendRuntimeEvent(run, {
        runtimeId: row.id,
        type: EVENT_TYPES[plan.phase] ?? 'Progress',
        phase: plan.phase,
        reason: plan.reason,
        message: plan.message,
        progress: plan.progress,
      });
    }
  });
  observeTransition(
    {
      runtimeId: row.id,
      generation: change.generation,
      from: row.phase,
      to: plan.phase,
      desired: row.desiredState,
    },
    sinceSpec,
  );
  row.phase = plan.phase;
  row.conditions = conditions;
  row.observedGeneration = change.generation;
  row.lastError = plan.lastError;
  row.endpoint = change.endpoint;
  if (announce) row.statusMessage = plan.message;
  return true;
}
