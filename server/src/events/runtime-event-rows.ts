import type { EntityManager } from '@mikro-orm/postgresql';
import type { RuntimePhase } from '../../../schema/domain/enums.ts';
import { type RuntimeRecord, runtimeColumns, runtimeFromRow } from '../services/runtime-record.ts';

/**
 * A runtime event joined with its runtime. `ownerId` authorises delivery; `runtime` is the runtime row
 * as read together with the event (never older than the event), so subscribers resolve
 * `event.runtime { status }` without a query each.
 */
export interface RuntimeEventRow {
  id: string;
  runtimeId: string;
  ownerId: string;
  seq: number;
  type: string;
  phase: RuntimePhase;
  reason: string;
  message: string;
  progress: number | null;
  actorId: string | null;
  at: Date;
  runtime: RuntimeRecord;
}

export interface EventFilter {
  runtimeId?: string;
  ownerId?: string;
}

/** Select list for `runtime_events e join runtimes r`; map rows with `eventFromRow`. */
export const EVENT_COLUMNS = `e.id::text as id, e.runtime_id, e.seq, e.type, e.phase, e.reason, e.message,
  e.progress, e.actor_id, e.at, ${runtimeColumns('r')}`;

export function eventFromRow(r: Record<string, unknown>): RuntimeEventRow {
  const runtime = runtimeFromRow(r);
  return {
    id: String(r.id),
    runtimeId: String(r.runtime_id),
    ownerId: runtime.ownerId,
    seq: Number(r.seq),
    type: String(r.type),
    phase: r.phase as RuntimePhase,
    reason: String(r.reason),
    message: String(r.message),
    progress: r.progress === null || r.progress === undefined ? null : Number(r.progress),
    actorId: (r.actor_id as string | null) ?? null,
    at: r.at instanceof Date ? r.at : new Date(String(r.at)),
    runtime,
  };
}

/** Events after `afterId` in id (= commit) order. One statement. */
export async function readEventsAfter(
  em: EntityManager,
  afterId: string,
  filter: EventFilter,
  limit: number,
): Promise<RuntimeEventRow[]> {
  const params: unknown[] = [afterId];
  let where = 'e.id > ?';
  if (filter.runtimeId) {
    where += ' and e.runtime_id = ?';
    params.push(filter.runtimeId);
  }
  if (filter.ownerId) {
    where += ' and r.owner_id = ?';
    params.push(filter.ownerId);
  }
  params.push(limit);
  const rows = await em.getConnection().execute<Record<string, unknown>[]>(
    `select ${EVENT_COLUMNS}
       from runtime_events e join runtimes r on r.id = e.runtime_id
      where ${where} order by e.id limit ?`,
    params,
  );
  return rows.map(eventFromRow);
}
