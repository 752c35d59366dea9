import type { Condition } from '../../../schema/domain/conditions.ts';
import type { DesiredState, RetentionPolicy, RuntimePhase } from '../../../schema/domain/enums.ts';
import type { RuntimeProfile } from '../../../schema/domain/profiles.ts';

/**
 * A runtime row as the API sees it: plain data, `ownerId` instead of an ORM reference, and no
 * `endpoint` (internal to the orchestrator and the edge). Read with one SQL projection
 * (`runtimeColumns`) by the queries, the mutations and the event hub alike, so a subscription can
 * carry the runtime without one extra query per subscriber.
 */
export interface RuntimeRecord {
  id: string;
  ownerId: string;
  createdAt: Date;
  desiredState: DesiredState;
  generation: number;
  retentionPolicy: RetentionPolicy;
  profile: string;
  /** The profile's values copied at the last start (null: the built-in profile of that name). */
  profileSpec: RuntimeProfile | null;
  runtimeVersion: string;
  restartNonce: number;
  specUpdatedAt: Date;
  /** Why the runtime was asked to stop (`StopRequested`, `Idle`, `MaxAge`, `OwnerDisabled`); else null. */
  stopReason: string | null;
  phase: RuntimePhase;
  conditions: Condition[];
  observedGeneration: number;
  lastError: string | null;
  readyAt: Date | null;
  lastActivityAt: Date | null;
  statusUpdatedAt: Date | null;
}

const COLUMNS = [
  'id',
  'owner_id',
  'created_at',
  'desired_state',
  'generation',
  'retention_policy',
  'profile',
  'profile_spec',
  'runtime_version',
  'restart_nonce',
  'spec_updated_at',
  'stop_reason',
  'phase',
  'conditions',
  'observed_generation',
  'last_error',
  'ready_at',
  'last_activity_at',
  'status_updated_at',
] as const;

/** `r.id as rt_id, r.owner_id as rt_owner_id, …` for a select (or a `returning`) over alias `alias`. */
export function runtimeColumns(alias = 'r', prefix = 'rt_'): string {
  const qualify = alias ? `${alias}.` : '';
  return COLUMNS.map((c) => `${qualify}${c} as ${prefix}${c}`).join(', ');
}

const date = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
const dateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : date(v));
const jsonOrNull = <T>(v: unknown): T | null =>
  v === null || v === undefined ? null : ((typeof v === 'string' ? JSON.parse(v) : v) as T);

/** Maps a row selected with `runtimeColumns(alias, prefix)` back to a record. */
export function runtimeFromRow(row: Record<string, unknown>, prefix = 'rt_'): RuntimeRecord {
  const v = (c: (typeof COLUMNS)[number]) => row[`${prefix}${c}`];
  const conditions = v('conditions');
  return {
    id: String(v('id')),
    ownerId: String(v('owner_id')),
    createdAt: date(v('created_at')),
    desiredState: v('desired_state') as DesiredState,
    generation: Number(v('generation')),
    retentionPolicy: v('retention_policy') as RetentionPolicy,
    profile: String(v('profile')),
    profileSpec: jsonOrNull<RuntimeProfile>(v('profile_spec')),
    runtimeVersion: String(v('runtime_version')),
    restartNonce: Number(v('restart_nonce')),
    specUpdatedAt: date(v('spec_updated_at')),
    stopReason: (v('stop_reason') as string | null) ?? null,
    phase: v('phase') as RuntimePhase,
    conditions: (typeof conditions === 'string'
      ? JSON.parse(conditions)
      : (conditions ?? [])) as Condition[],
    observedGeneration: Number(v('observed_generation')),
    lastError: (v('last_error') as string | null) ?? null,
    readyAt: dateOrNull(v('ready_at')),
    lastActivityAt: dateOrNull(v('last_activity_at')),
    statusUpdatedAt: dateOrNull(v('status_updated_at')),
  };
}

/** Deleted, or on its way there: no further lifecycle mutation is accepted. */
export function isDeletedOrDeleting(r: Pick<RuntimeRecord, 'desiredState' | 'phase'>): boolean {
  return r.desiredState === 'deleted' || r.phase === 'Deleting' || r.phase === 'Deleted';
}
