import type { Plan } from './runtime.ts';

/** Status for a runtime the controller cannot reconcile (bad spec, repeated errors). Pure. */
export function failurePlan(reason: string, message: string, generation: number): Plan {
  return {
    action: 'none',
    phase: 'Failed',
    reason,
    message,
    progress: 100,
    lastError: message,
    starting: false,
    conditions: [
      { type: 'Ready', status: 'False', reason, message, observedGeneration: generation },
      { type: 'Failed', status: 'True', reason, message, observedGeneration: generation },
    ],
  };
}

/** Node/undici network failure codes: the other side may well answer on the next try. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
  // PostgreSQL: the server is starting up or shutting down, or the connection was lost.
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
]);

/**
 * Whether a reconcile error may clear by itself: an API server answering 5xx, 409 (a lost race) or
 * 429, a dropped connection, a timeout, a database restart. Pure; walks `cause` chains.
 */
export function isTransientError(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 4) return false;
  const e = err as { code?: unknown; statusCode?: unknown; cause?: unknown; message?: unknown };
  const status = typeof e.code === 'number' ? e.code : e.statusCode;
  if (typeof status === 'number') return status >= 500 || status === 409 || status === 429;
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
  if (typeof e.message === 'string' && /socket hang up|Connection terminated/i.test(e.message))
    return true;
  return isTransientError(e.cause, depth + 1);
}

/**
 * The consecutive-failure breaker: `Failed` after `max` errors in a row — but errors that may clear
 * by themselves must also have lasted `transientSpanMs`, so a flaky API server (10 % of requests
 * failing fails about half of all multi-request reconciles) never marks healthy runtimes Failed.
 */
export function breakerTrips(
  failures: { count: number; sinceMs: number; transient: boolean },
  nowMs: number,
  limits: { max: number; transientSpanMs: number },
): boolean {
  if (failures.count < limits.max) return false;
  return !failures.transient || nowMs - failures.sinceMs >= limits.transientSpanMs;
}
