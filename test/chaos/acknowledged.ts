/**
 * "No acknowledged mutation is lost": every mutation that returned a Runtime committed a spec change,
 * and each spec change commits with its audit row (`detail.generation`, `detail.desiredState`). So an
 * acknowledged `(runtime, generation, desiredState)` must have its audit row, and the runtime's stored
 * generation can only be at or past it.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import type { LifecycleWorkload } from './lifecycle-workload.ts';

export async function lostAcknowledgements(
  orm: MikroORM,
  workload: LifecycleWorkload,
): Promise<string[]> {
  const conn = orm.em.fork().getConnection();
  const audited = await conn.execute<Record<string, unknown>[]>(
    `select target_id, (detail->>'generation')::int as generation, detail->>'desiredState' as desired
       from audit_events where target_type = 'runtime' and result = 'ok'`,
  );
  const recorded = new Set(audited.map((a) => `${a.target_id}@${a.generation}:${a.desired}`));
  const stored = new Map(
    (await conn.execute<Record<string, unknown>[]>('select id, generation from runtimes')).map(
      (r) => [String(r.id), Number(r.generation)],
    ),
  );
  const lost: string[] = [];
  for (const [id, ops] of workload.ackedByRuntime()) {
    for (const op of ops) {
      if (!recorded.has(`${id}@${op.generation}:${op.desiredState}`))
        lost.push(`${op.kind} of ${id} acked at generation ${op.generation}: no audit row`);
    }
    const highest = Math.max(...ops.map((o) => o.generation ?? 0));
    if ((stored.get(id) ?? -1) < highest)
      lost.push(`${id}: acked generation ${highest}, stored ${stored.get(id)}`);
  }
  return lost;
}
