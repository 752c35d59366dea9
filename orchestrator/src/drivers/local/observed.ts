import type { ObservedRuntime, WorkloadState } from '../driver.ts';

/** Fields that make a change worth an `onChange` (the controller re-reads and writes status). */
const WATCHED = ['state', 'reason', 'message', 'progress', 'endpoint', 'restarts'] as const;

/**
 * The next observation: `since` moves only when the state changes, `templateHash` is reported for
 * every state but `absent`, fields not given are dropped (no stale progress on `ready`).
 */
export function transition(
  prev: ObservedRuntime,
  state: WorkloadState,
  fields: Omit<ObservedRuntime, 'state' | 'restarts' | 'since' | 'templateHash'> & {
    restarts?: number;
  },
  templateHash: string,
  now: Date,
): { next: ObservedRuntime; changed: boolean } {
  const next: ObservedRuntime = {
    state,
    restarts: prev.restarts,
    ...(state === 'absent' ? {} : { templateHash }),
    ...fields,
    since: state === prev.state && prev.since ? prev.since : now,
  };
  return { next, changed: WATCHED.some((key) => prev[key] !== next[key]) };
}
