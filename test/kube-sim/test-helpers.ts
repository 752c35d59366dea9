/** Helpers shared by the simulator's own integration tests. */
import { ApiException } from '@kubernetes/client-node';

/** Default waitFor limit: far above the simulator's millisecond delays, for loaded CI machines. */
export const WAIT = 10_000;

/** Polls `fn` until it returns a truthy value (returned) or `timeoutMs` passes (throws). */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  timeoutMs = WAIT,
  what = 'condition',
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await fn();
      if (value) return value as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** The Status body of a failed client-node call (ApiException.body is a string or an object). */
export async function statusOf(promise: Promise<unknown>): Promise<{
  code: number;
  reason?: string;
  message?: string;
  details?: Record<string, unknown>;
  kind?: string;
  status?: string;
}> {
  try {
    await promise;
  } catch (e) {
    if (!(e instanceof ApiException)) throw e;
    const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
    return { ...body, code: e.code };
  }
  throw new Error('expected the call to fail');
}
