import { CHANNELS, RUNTIME_EVENT_LOCK } from '../domain/channels.ts';
import type { RuntimePhase } from '../domain/enums.ts';

/** A statement runner bound to an open transaction (MikroORM's `conn.execute(sql, params, 'all', trx)`). */
export type SqlRunner = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

export interface NewRuntimeEvent {
  runtimeId: string;
  type: string;
  phase: RuntimePhase;
  reason?: string;
  message?: string;
  progress?: number | null;
  actorId?: string | null;
}

/**
 * Appends one runtime event inside the caller's transaction and NOTIFYs listeners on commit.
 *
 * The transaction-scoped advisory lock serialises appends so that `id` order equals commit order: a
 * subscriber that has seen id N can never later miss an event with an id below N. It also makes the
 * per-runtime `seq` (max + 1) safe. Both the server (spec changes) and the orchestrator (observations)
 * append through this one function.
 */
export async function appendRuntimeEvent(
  run: SqlRunner,
  event: NewRuntimeEvent,
): Promise<{ id: string; seq: number }> {
  await run('select pg_advisory_xact_lock(?)', [RUNTIME_EVENT_LOCK]);
  const rows = await run(
    `insert into runtime_events (runtime_id, seq, type, phase, reason, message, progress, actor_id, at)
     select ?, coalesce(max(seq), 0) + 1, ?, ?, ?, ?, ?, ?, now() from runtime_events where runtime_id = ?
     returning id::text as id, seq`,
    [
      event.runtimeId,
      event.type,
      event.phase,
      event.reason ?? '',
      event.message ?? '',
      event.progress ?? null,
      event.actorId ?? null,
      event.runtimeId,
    ],
  );
  const row = rows[0] as { id: string; seq: number };
  await run('select pg_notify(?, ?)', [CHANNELS.runtimeEvents, row.id]);
  return row;
}
