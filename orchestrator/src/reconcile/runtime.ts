/**
 * Pure planner for one runtime: `plan(input) → Plan`. No I/O, no clock (the caller passes `now`).
 *
 * Invariants:
 * - Level-triggered: the plan depends only on desired spec, last written status and the driver's
 *   current observation — never on which event woke us up.
 * - Converged ⇒ no action (a steady-state resync writes nothing anywhere).
 * - Status reflects the observation: a phase is never advanced because something was merely requested.
 * - A runtime that keeps failing is put in `Failed` with the reason, its workload removed, and retried
 *   after a backoff; a spec change (new generation) retries at once.
 */
import type { Condition, ConditionInput } from '../../../schema/domain/conditions.ts';
import { findCondition } from '../../../schema/domain/conditions.ts';
import type { DesiredState, RetentionPolicy, RuntimePhase } from '../../../schema/domain/enums.ts';
import type { ObservedRuntime } from '../drivers/driver.ts';

export interface PlanInput {
  /** null when the runtime row no longer exists. */
  spec: { desiredState: DesiredState; generation: number; retentionPolicy: RetentionPolicy } | null;
  /** Status as last written. */
  current: { phase: RuntimePhase; conditions: Condition[]; observedGeneration: number };
  observed: ObservedRuntime;
  /** Template hash the workload should have. */
  desiredHash: string;
  /** Whether a new start may begin now (global limit on concurrent starts). */
  startSlotFree: boolean;
  settings: PlannerSettings;
  now: Date;
}

export interface PlannerSettings {
  /** Crashes of one workload before the breaker trips. @default 5 */
  maxRestarts: number;
  /** Wait before retrying a Failed runtime. @default 60_000 */
  failedRetryMs: number;
}

export type Action = 'none' | 'ensureRunning' | 'ensureStopped' | 'ensureDeleted';

export interface Plan {
  action: Action;
  phase: RuntimePhase;
  conditions: ConditionInput[];
  /** Human-readable line for the event stream and `lastError` when failed. */
  message: string;
  reason: string;
  /** 0–100, set while starting and on terminal results. */
  progress: number | null;
  lastError: string | null;
  /** Holds a start slot while true (Pending/Starting toward running). */
  starting: boolean;
  requeueAfterMs?: number;
}

export function plan(input: PlanInput): Plan {
  const { spec } = input;
  if (!spec || spec.desiredState === 'deleted') return planDelete(input);
  if (spec.desiredState === 'stopped') return planStop(input);
  return planRun(input);
}

function planDelete({ observed, current, spec }: PlanInput): Plan {
  const gen = spec?.generation ?? current.observedGeneration;
  if (current.phase === 'Deleted' && observed.state === 'absent') {
    return result('none', 'Deleted', gen, 'Deleted', 'Runtime deleted.', { progress: 100 });
  }
  const phase = observed.state === 'absent' ? 'Deleted' : 'Deleting';
  const message = phase === 'Deleted' ? 'Runtime deleted.' : 'Deleting runtime.';
  return result('ensureDeleted', phase, gen, phase, message, {
    progress: phase === 'Deleted' ? 100 : null,
  });
}

function planStop({ observed, spec }: PlanInput): Plan {
  const gen = spec?.generation ?? 0;
  if (observed.state === 'absent')
    return result('none', 'Stopped', gen, 'Stopped', 'Runtime stopped.', {});
  const action = observed.state === 'terminating' ? 'none' : 'ensureStopped';
  return {
    ...result(action, 'Stopping', gen, 'Stopping', 'Stopping runtime.', {}),
    requeueAfterMs: 1000,
  };
}

function planRun(input: PlanInput): Plan {
  const { observed, current, spec, desiredHash, settings, now } = input;
  const gen = spec?.generation ?? 0;
  const failed = findCondition(current.conditions, 'Failed');
  const stillFailed =
    current.phase === 'Failed' && current.observedGeneration === gen && failed?.status === 'True';
  if (stillFailed && failed) {
    const retryAt = Date.parse(failed.lastTransitionTime) + settings.failedRetryMs;
    if (now.getTime() < retryAt) {
      const action =
        observed.state === 'absent' || observed.state === 'terminating' ? 'none' : 'ensureStopped';
      return {
        ...result(action, 'Failed', gen, failed.reason, failed.message, { failed: true }),
        requeueAfterMs: retryAt - now.getTime(),
      };
    }
  }
  const matches = observed.templateHash === desiredHash;
  if (
    observed.state === 'failed' ||
    (observed.state === 'crashed' && observed.restarts >= settings.maxRestarts)
  ) {
    const reason = observed.reason ?? (observed.state === 'crashed' ? 'CrashLoop' : 'StartFailed');
    const message = describeFailure(observed, settings.maxRestarts);
    return {
      ...result('ensureStopped', 'Failed', gen, reason, message, { failed: true }),
      requeueAfterMs: settings.failedRetryMs,
    };
  }
  if (observed.state === 'ready' && matches) {
    // Drift repair re-applies without touching status: the runtime is Running throughout.
    const action = observed.drift ? 'ensureRunning' : 'none';
    return result(action, 'Running', gen, 'Ready', 'Runtime is ready.', {
      progress: 100,
      ready: true,
    });
  }
  if (observed.state === 'absent' || !matches) {
    if (!input.startSlotFree && observed.state === 'absent') {
      return {
        // Waiting does not hold a slot: claiming one here let every queued runtime start on its next
        // reconcile, so the limit held only for one round.
        ...result('none', 'Pending', gen, 'Queued', 'Waiting for a free start slot.', {
          progress: 0,
        }),
        requeueAfterMs: 1000,
      };
    }
    const phase = observed.state === 'absent' ? 'Pending' : 'Starting';
    const message =
      observed.state === 'absent' ? 'Scheduling runtime.' : 'Applying new configuration.';
    return {
      ...result('ensureRunning', phase, gen, 'Scheduling', message, {
        progress: 5,
        starting: true,
      }),
      requeueAfterMs: 2000,
    };
  }
  return planInProgress(observed, gen);
}

/** The workload exists with the right template and is on its way (preparing/starting/crashed/terminating). */
function planInProgress(observed: ObservedRuntime, gen: number): Plan {
  // A crash (restarting in place) or a replacement in progress never moves the bar backwards past
  // "starting": the message says what is happening.
  const progress =
    observed.state === 'preparing' ? 10 + Math.round((observed.progress ?? 0) * 0.5) : 70;
  const reason = observed.reason ?? capitalize(observed.state);
  const message = observed.message ?? defaultMessage(observed);
  const p = result('none', 'Starting', gen, reason, message, { progress, starting: true });
  p.conditions = progressConditions(observed, gen, reason, message);
  return { ...p, requeueAfterMs: observed.state === 'terminating' ? 1000 : undefined };
}

function progressConditions(
  observed: ObservedRuntime,
  gen: number,
  reason: string,
  message: string,
): ConditionInput[] {
  const installed = observed.state !== 'preparing';
  const started = observed.state === 'starting' || observed.state === 'crashed';
  return [
    cond('Scheduled', 'True', 'Scheduled', 'Workload created.', gen),
    cond(
      'Installed',
      installed ? 'True' : 'False',
      installed ? 'Installed' : reason,
      installed ? 'Runtime installed.' : message,
      gen,
    ),
    cond(
      'Started',
      started ? 'True' : 'False',
      started ? 'Started' : reason,
      started ? 'Gateway process running.' : message,
      gen,
    ),
    cond('Ready', 'False', reason, message, gen),
    cond('Failed', 'False', 'NoFailure', '', gen),
  ];
}

interface ResultFlags {
  progress?: number | null;
  ready?: boolean;
  failed?: boolean;
  starting?: boolean;
}

function result(
  action: Action,
  phase: RuntimePhase,
  gen: number,
  reason: string,
  message: string,
  f: ResultFlags,
): Plan {
  const ready = f.ready === true;
  const failed = f.failed === true;
  const conditions = [
    cond(
      'Ready',
      ready ? 'True' : 'False',
      ready ? 'Ready' : reason,
      ready ? 'Gateway answers /startupz.' : message,
      gen,
    ),
    cond(
      'Failed',
      failed ? 'True' : 'False',
      failed ? reason : 'NoFailure',
      failed ? message : '',
      gen,
    ),
  ];
  if (ready) {
    conditions.push(cond('Scheduled', 'True', 'Scheduled', 'Workload created.', gen));
    conditions.push(cond('Installed', 'True', 'Installed', 'Runtime installed.', gen));
    conditions.push(cond('Started', 'True', 'Started', 'Gateway process running.', gen));
  }
  return {
    action,
    phase,
    conditions,
    reason,
    message,
    progress: failed ? 100 : (f.progress ?? null),
    lastError: failed ? message : null,
    starting: f.starting === true,
  };
}

function cond(
  type: Condition['type'],
  status: Condition['status'],
  reason: string,
  message: string,
  gen: number,
): ConditionInput {
  return { type, status, reason, message, observedGeneration: gen };
}

function describeFailure(observed: ObservedRuntime, maxRestarts: number): string {
  const detail = observed.message ? `: ${observed.message}` : '';
  if (observed.state === 'crashed')
    return `The gateway crashed ${observed.restarts} times (limit ${maxRestarts})${detail}`;
  return `The runtime could not start${detail}`;
}

function defaultMessage(observed: ObservedRuntime): string {
  switch (observed.state) {
    case 'preparing':
      return 'Preparing runtime.';
    case 'starting':
      return 'Gateway starting.';
    case 'crashed':
      return `Gateway restarting after a crash (${observed.restarts}).`;
    default:
      return 'Replacing the previous workload.';
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
