/**
 * The orchestrator's half of the model layer: which models a runtime's owner may use (read), and the
 * runtime's credential-proxy key hash (write — the orchestrator is the only writer of
 * `runtime_credentials`; see schema/domain/model-key.ts for the key design).
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { CHANNELS } from '../../schema/domain/channels.ts';
import { modelKeyHash } from '../../schema/domain/model-key.ts';
import type { ModelAccess } from './drivers/driver.ts';
import type { RuntimeRow } from './status/runtime-row.ts';

export type GrantedModel = ModelAccess['models'][number];

/**
 * Enabled, listed routes granted to `ownerId` (or to everyone), default first then by name — the
 * order the runtime's model list takes, so the first is the primary.
 */
export async function loadGrantedModels(
  em: EntityManager,
  ownerId: string,
): Promise<GrantedModel[]> {
  const rows = await em.getConnection().execute<Record<string, unknown>[]>(
    `select r.name, r.context_window, r.max_tokens from model_routes r
      where r.enabled and r.visible and exists (select 1 from model_grants g
        where g.route_id = r.id and (g.user_id is null or g.user_id = ?))
      order by r.is_default desc, r.name`,
    [ownerId],
  );
  return rows.map((r) => ({
    id: String(r.name),
    name: String(r.name),
    ...(r.context_window ? { contextWindow: Number(r.context_window) } : {}),
    ...(r.max_tokens ? { maxTokens: Number(r.max_tokens) } : {}),
  }));
}

/**
 * Records the hash of the key a workload is about to receive, before the workload starts, so its first
 * model call already authenticates. No-op when unchanged (steady state writes
 * nothing). NOTIFYs proxies to forget unknown keys.
 */
export async function writeCredential(
  em: EntityManager,
  row: RuntimeRow,
  apiKey: string,
): Promise<void> {
  const hash = modelKeyHash(apiKey);
  if (row.credentialHash === hash) return;
  const [runtimeId, epoch] = [row.id, row.generation];
  const conn = em.getConnection();
  await conn.transactional(async (trx) => {
    await conn.execute(
      `insert into runtime_credentials (runtime_id, epoch, key_hash, updated_at) values (?, ?, ?, now())
       on conflict (runtime_id) do update set epoch = excluded.epoch, key_hash = excluded.key_hash, updated_at = now()`,
      [runtimeId, epoch, hash],
      'run',
      trx,
    );
    await conn.execute(
      'select pg_notify(?, ?)',
      [CHANNELS.modelAccess, `credential:${runtimeId}`],
      'all',
      trx,
    );
  });
  row.credentialHash = hash;
}

/** Forgets a runtime's key (stopped or deleted). The proxy already refuses it: this is hygiene. */
export async function deleteCredential(em: EntityManager, row: RuntimeRow): Promise<void> {
  if (row.credentialHash === null) return;
  await em
    .getConnection()
    .execute('delete from runtime_credentials where runtime_id = ?', [row.id]);
  row.credentialHash = null;
}
