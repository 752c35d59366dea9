import type { EntityManager } from '@mikro-orm/postgresql';
import type { RuntimePhase } from '../../../schema/domain/enums.ts';

/** A runtime event joined with its runtime's owner (needed to authorise delivery). */
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
  at: Date;
}

export interface EventFilter {
  runtimeId?: string;
  ownerId?: string;
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
    `select e.id::text as id, e.runtime_id, r.owner_id, e.seq, e.type, e.phase, e.reason, e.message,
            e.progress, e.at
       from runtime_events e join runtimes r on r.id = e.runtime_id
      where ${where} order by e.id limit ?`,
    params,
  );
  return rows.map((r) => ({
    id: String(r.id),
    runtimeId: String(r.runtime_id),
    ownerId: String(r.owner_id),
    seq: Number(r.seq),
    type: String(r.type),
    phase: r.phase as RuntimePhase,
    reason: String(r.reason),
    message: String(r.message),
    progress: r.progress === null ? null : Number(r.progress),
    at: new Date(r.at as string),
  }));
}
