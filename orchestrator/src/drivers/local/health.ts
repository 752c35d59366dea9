import type { WorkloadState } from '../driver.ts';
import type { ProbeResult } from './probe.ts';

/** Consecutive failed probes of a ready gateway before it is reported unresponsive. */
export const UNRESPONSIVE_AFTER = 3;

export interface ProbeContext {
  result: ProbeResult;
  state: WorkloadState;
  /** `Starting` (fresh spawn), `Adopted` or `Unresponsive` while in `starting`. */
  reason?: string;
  /** Failed probes in a row before this one. */
  failures: number;
  /** Time since the current phase (starting/ready/unresponsive) began. */
  phaseElapsedMs: number;
  startTimeoutMs: number;
}

/**
 * - `mark-ready` / `keep-ready`: the gateway answers;
 * - `tolerate`: a ready gateway missed a probe or two;
 * - `unresponsive`: a ready gateway missed `UNRESPONSIVE_AFTER` probes in a row;
 * - `wait`: still starting, within the start timeout;
 * - `restart`: a gateway that was up once (hung, or adopted) stayed silent past the timeout: kill it
 *   and let the crash path restart it;
 * - `fail`: a fresh gateway never became ready: `failed`/`StartTimeout`, no restart loop.
 */
export type ProbeAction =
  | 'mark-ready'
  | 'keep-ready'
  | 'tolerate'
  | 'unresponsive'
  | 'wait'
  | 'restart'
  | 'fail';

export function judgeProbe(ctx: ProbeContext): ProbeAction {
  if (ctx.result === 'ready') return ctx.state === 'ready' ? 'keep-ready' : 'mark-ready';
  if (ctx.state === 'ready')
    return ctx.failures + 1 >= UNRESPONSIVE_AFTER ? 'unresponsive' : 'tolerate';
  if (ctx.phaseElapsedMs <= ctx.startTimeoutMs) return 'wait';
  return ctx.reason === 'Starting' ? 'fail' : 'restart';
}
