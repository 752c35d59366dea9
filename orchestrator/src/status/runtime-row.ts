import type { EntityManager } from '@mikro-orm/postgresql';
import type { Condition } from '../../../schema/domain/conditions.ts';
import type { DesiredState, RetentionPolicy, RuntimePhase } from '../../../schema/domain/enums.ts';

/** Everything the orchestrator reads about one runtime: spec, owner and last written status. */
export interface RuntimeRow {
  id: string;
  ownerId: string;
  ownerUsername: string;
  desiredState: DesiredState;
  generation: number;
  retentionPolicy: RetentionPolicy;
  profile: string;
  /** The profile copy the server wrote at the last start (JSON as stored); null: built-in by name. */
  profileSpec: unknown;
  runtimeVersion: string;
  restartNonce: number;
  phase: RuntimePhase;
  conditions: Condition[];
  observedGeneration: number;
  lastError: string | null;
  endpoint: string | null;
  /** Message of the last event the orchestrator appended (to avoid repeating it). */
  statusMessage: string | null;
  /** Hash of the runtime's credential-proxy key as stored (`runtime_credentials`), if any. */
  credentialHash: string | null;
}

const SELECT = `select r.id, r.owner_id, u.username, r.desired_state, r.generation, r.retention_policy, r.profile, r.profile_spec,
       r.runtime_version, r.restart_nonce, r.phase, r.conditions, r.observed_generation, r.last_error, r.endpoint,
       (select e.message from runtime_events e where e.runtime_id = r.id order by e.seq desc limit 1) as status_message,
       (select c.key_hash from runtime_credentials c where c.runtime_id = r.id) as credential_hash
  from runtimes r join users u on u.id = r.owner_id`;

export async function loadRuntime(em: EntityManager, id: string): Promise<RuntimeRow | null> {
  const rows = await em
    .getConnection()
    .execute<Record<string, unknown>[]>(`${SELECT} where r.id = ?`, [id]);
  return rows[0] ? toRow(rows[0]) : null;
}

/** Ids of every runtime that is not fully deleted (the periodic resync's work list). */
export async function listActiveRuntimeIds(em: EntityManager): Promise<string[]> {
  const rows = await em
    .getConnection()
    .execute<{ id: string }[]>(
      `select id from runtimes where not (desired_state = 'deleted' and phase = 'Deleted')`,
    );
  return rows.map((r) => r.id);
}

function toRow(r: Record<string, unknown>): RuntimeRow {
  return {
    id: String(r.id),
    ownerId: String(r.owner_id),
    ownerUsername: String(r.username),
    desiredState: r.desired_state as DesiredState,
    generation: Number(r.generation),
    retentionPolicy: r.retention_policy as RetentionPolicy,
    profile: String(r.profile),
    profileSpec: r.profile_spec ?? null,
    runtimeVersion: String(r.runtime_version),
    restartNonce: Number(r.restart_nonce),
    phase: r.phase as RuntimePhase,
    conditions: (typeof r.conditions === 'string'
      ? JSON.parse(r.conditions)
      : r.conditions) as Condition[],
    observedGeneration: Number(r.observed_generation),
    lastError: (r.last_error as string | null) ?? null,
    endpoint: (r.endpoint as string | null) ?? null,
    statusMessage: (r.status_message as string | null) ?? null,
    credentialHash: (r.credential_hash as string | null) ?? null,
  };
}
