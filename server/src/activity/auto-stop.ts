import type { DesiredState } from '../../../schema/domain/enums.ts';

/**
 * When a runtime stops by itself — the pure rule behind the idle culler and the API's `idleStopAt`.
 *
 * Activity (recorded by `activity-recorder.ts`) is: a request the entrance lets through to the
 * runtime (embedded edge or `/auth/forward`, WebSocket upgrades included), bytes a client sends on a
 * WebSocket proxied by the embedded edge, and a model call (`/v1/chat/completions`, `/v1/embeddings`)
 * through the credential proxy with the runtime's key. Nothing else: the control plane's own API,
 * the orchestrator's probes and `GET /v1/models` are not activity.
 *
 * The idle clock starts at the later of the last activity and the last spec change (a start or
 * restart), so a runtime started again after an idle stop gets a full timeout. The maximum age runs
 * from the last spec change, activity or not. Only runtimes that should run are ever stopped, and a
 * stop keeps every byte of data (desired state `stopped`, never `deleted`).
 */

/** Minutes/hours as configured; 0 turns a rule off. */
export interface AutoStopSettings {
  /** Stop after this many minutes without activity; 0 = never. */
  IDLE_TIMEOUT_MINUTES: number;
  /** Stop this many hours after the last start, active or not; 0 = never. */
  MAX_RUNTIME_AGE_HOURS: number;
}

export interface AutoStopPolicy {
  /** null: no idle timeout applies. */
  idleTimeoutMs: number | null;
  /** null: no maximum age applies. */
  maxAgeMs: number | null;
}

export type AutoStopReason = 'Idle' | 'MaxAge';

export interface AutoStopFacts {
  desiredState: DesiredState;
  specUpdatedAt: Date;
  lastActivityAt: Date | null;
}

export interface AutoStop {
  /** When the runtime stops unless there is activity before; null: never (or it is not meant to run). */
  idleStopAt: Date | null;
  /** When the maximum age stops it; null: never (or it is not meant to run). */
  maxAgeStopAt: Date | null;
  /** Stop it now, and why (the earlier of the two deadlines when both passed). */
  due: AutoStopReason | null;
}

const MINUTE = 60_000;

/**
 * The policy for one runtime: the deployment's settings, with the idle timeout of the runtime's
 * profile instead when it names one (0 = never). An override that is not a non-negative number is
 * ignored rather than trusted (it would otherwise stop runtimes at once or never).
 */
export function autoStopPolicy(
  settings: AutoStopSettings,
  profileIdleTimeoutMinutes?: number | null,
): AutoStopPolicy {
  const override =
    typeof profileIdleTimeoutMinutes === 'number' &&
    Number.isFinite(profileIdleTimeoutMinutes) &&
    profileIdleTimeoutMinutes >= 0
      ? profileIdleTimeoutMinutes
      : null;
  const idleMinutes = override ?? settings.IDLE_TIMEOUT_MINUTES;
  return {
    idleTimeoutMs: idleMinutes > 0 ? idleMinutes * MINUTE : null,
    maxAgeMs:
      settings.MAX_RUNTIME_AGE_HOURS > 0 ? settings.MAX_RUNTIME_AGE_HOURS * 60 * MINUTE : null,
  };
}

export function autoStop(r: AutoStopFacts, policy: AutoStopPolicy, now: Date): AutoStop {
  if (r.desiredState !== 'running') return { idleStopAt: null, maxAgeStopAt: null, due: null };
  const started = r.specUpdatedAt.getTime();
  const since = Math.max(started, r.lastActivityAt?.getTime() ?? started);
  const idleStopAt = policy.idleTimeoutMs === null ? null : new Date(since + policy.idleTimeoutMs);
  const maxAgeStopAt = policy.maxAgeMs === null ? null : new Date(started + policy.maxAgeMs);
  const passed = [
    { reason: 'Idle' as const, at: idleStopAt },
    { reason: 'MaxAge' as const, at: maxAgeStopAt },
  ]
    .filter((d): d is { reason: AutoStopReason; at: Date } => d.at !== null && d.at <= now)
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  return { idleStopAt, maxAgeStopAt, due: passed[0]?.reason ?? null };
}

/** What the API shows for one runtime: the deployment's settings and its profile copy's override. */
export function runtimeAutoStop(
  settings: AutoStopSettings,
  r: AutoStopFacts & { profileSpec?: { idleTimeoutMinutes?: number | null } | null },
  now = new Date(),
): AutoStop {
  return autoStop(r, autoStopPolicy(settings, r.profileSpec?.idleTimeoutMinutes), now);
}
