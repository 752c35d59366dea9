import {
  CONDITION_TYPES,
  type Condition,
  findCondition,
  isTrue,
} from '../../../schema/domain/conditions.ts';
import type { RuntimePhase } from '../../../schema/domain/enums.ts';
import { userHostLabel } from '../../../schema/domain/slugs.ts';
import type { RuntimeRecord } from './runtime-record.ts';

/** What `Runtime.status` shows: derived from the conditions and phase, never stored as free text. */
export interface RuntimeStatusView {
  phase: RuntimePhase;
  ready: boolean;
  failed: boolean;
  conditions: Condition[];
  message: string;
  lastError: string | null;
  observedGeneration: number;
  /** The orchestrator has acted on the latest spec (`observedGeneration >= generation`). */
  upToDate: boolean;
}

const PHASE_MESSAGES: Record<RuntimePhase, string> = {
  Pending: 'Waiting to be scheduled.',
  Starting: 'Starting…',
  Running: 'Running.',
  Stopping: 'Stopping…',
  Stopped: 'Stopped.',
  Failed: 'Failed.',
  Deleting: 'Deleting…',
  Deleted: 'Deleted.',
};

const PENDING_MESSAGES = {
  running: 'Start requested; waiting for the orchestrator.',
  stopped: 'Stop requested; waiting for the orchestrator.',
  deleted: 'Deletion requested; waiting for the orchestrator.',
} as const;

export function deriveStatus(r: RuntimeRecord): RuntimeStatusView {
  const failedCondition = findCondition(r.conditions, 'Failed');
  const failed = failedCondition?.status === 'True' || r.phase === 'Failed';
  const ready = r.phase === 'Running' && isTrue(r.conditions, 'Ready');
  const upToDate = r.observedGeneration >= r.generation;
  return {
    phase: r.phase,
    ready,
    failed,
    conditions: r.conditions,
    message: statusMessage(r, { failed, ready, upToDate }),
    lastError: r.lastError,
    observedGeneration: r.observedGeneration,
    upToDate,
  };
}

function statusMessage(
  r: RuntimeRecord,
  s: { failed: boolean; ready: boolean; upToDate: boolean },
): string {
  if (s.failed) {
    return findCondition(r.conditions, 'Failed')?.message || r.lastError || PHASE_MESSAGES.Failed;
  }
  if (!s.upToDate) return PENDING_MESSAGES[r.desiredState];
  if (s.ready) return findCondition(r.conditions, 'Ready')?.message || PHASE_MESSAGES.Running;
  // The first step of a start that has not succeeded yet says what is going on right now.
  const blocking = CONDITION_TYPES.map((t) => findCondition(r.conditions, t)).find(
    (c) => c !== undefined && c.type !== 'Failed' && c.status !== 'True' && c.message !== '',
  );
  if (blocking && r.desiredState === 'running') return blocking.message;
  const why = r.desiredState === 'stopped' && r.phase === 'Stopped' ? r.stopReason : null;
  return (why && STOPPED_MESSAGES[why]) || PHASE_MESSAGES[r.phase];
}

/** A stop the owner did not ask for says why (`Runtime.stopReason`). */
const STOPPED_MESSAGES: Record<string, string> = {
  Idle: 'Stopped because it was idle. Start it again when you need it; your data is kept.',
  MaxAge: 'Stopped: it reached the maximum run time. Start it again when you need it.',
  OwnerDisabled: 'Stopped: the owner was disabled.',
};

/** Share of a start that is done, by condition (KubeSpawner-style progress). */
const STEP_PROGRESS: Partial<Record<Condition['type'], number>> = {
  Scheduled: 25,
  Installed: 50,
  Started: 75,
  Ready: 100,
};

/**
 * Progress (0–100) towards the desired state. A start counts the conditions already true and the
 * orchestrator's own figure from the latest event, whichever is further; stop and delete are 0, 50
 * (in progress) or 100 (done). A failure is terminal, so it is 100.
 */
export function deriveProgress(r: RuntimeRecord, latestEventProgress: number | null): number {
  const status = deriveStatus(r);
  if (status.failed && status.upToDate) return 100;
  if (r.desiredState === 'running') {
    if (status.ready && status.upToDate) return 100;
    if (!status.upToDate) return 0;
    const byConditions = Math.max(
      0,
      ...r.conditions.filter((c) => c.status === 'True').map((c) => STEP_PROGRESS[c.type] ?? 0),
    );
    return Math.min(99, Math.max(byConditions, latestEventProgress ?? 0));
  }
  const done = r.desiredState === 'stopped' ? 'Stopped' : 'Deleted';
  const busy = r.desiredState === 'stopped' ? 'Stopping' : 'Deleting';
  if (r.phase === done && status.upToDate) return 100;
  return r.phase === busy ? 50 : 0;
}

export interface OpenUrlConfig {
  PUBLIC_URL: string;
  RUNTIME_BASE_DOMAIN?: string | undefined;
}

/**
 * Where the owner opens their runtime: `<scheme>://u-<label>.<base domain>[:<port>]`. Scheme and port
 * come from PUBLIC_URL; the base domain from RUNTIME_BASE_DOMAIN or else PUBLIC_URL's host, so
 * `http://localhost:8080` yields `http://u-alice.localhost:8080` (browsers resolve `*.localhost`).
 */
export function runtimeOpenUrl(config: OpenUrlConfig, ownerUsername: string): string {
  const url = new URL(config.PUBLIC_URL);
  const base = (config.RUNTIME_BASE_DOMAIN ?? url.hostname).replace(/^\.+/, '');
  url.hostname = `${userHostLabel(ownerUsername)}.${base}`;
  return url.origin;
}
