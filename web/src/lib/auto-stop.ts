/** What the runtime card says about stopping by itself (`Runtime.idleStopAt` / `maxAgeStopAt`). */
export interface AutoStopFields {
  desiredState: string;
  idleStopAt?: string | null;
  maxAgeStopAt?: string | null;
}

export interface AutoStopNote {
  /** e.g. "Stops in 12 min if idle". */
  text: string;
  /** The deadline has passed: the view may be stale (activity elsewhere moves it), fetch again. */
  due: boolean;
}

/**
 * The earlier of the two deadlines, in words, or null when the runtime never stops by itself (or is
 * not meant to run). Minutes are rounded up so that "in 1 min" never shows a runtime already stopped.
 */
export function autoStopNote(r: AutoStopFields, now: number): AutoStopNote | null {
  if (r.desiredState !== 'RUNNING') return null;
  const idle = r.idleStopAt ? Date.parse(r.idleStopAt) : null;
  const age = r.maxAgeStopAt ? Date.parse(r.maxAgeStopAt) : null;
  if (idle === null && age === null) return null;
  const byAge = age !== null && (idle === null || age < idle);
  const at = (byAge ? age : idle) as number;
  const left = at - now;
  if (left <= 0)
    return { text: byAge ? 'Stopping: maximum run time reached' : 'Stopping: idle', due: true };
  return { text: `Stops ${inWords(left)} ${byAge ? '(maximum run time)' : 'if idle'}`, due: false };
}

/** "in 12 min", "in 2 h 5 min", "in under a minute". */
function inWords(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  if (ms < 60_000) return 'in under a minute';
  if (minutes < 60) return `in ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `in ${hours} h ${rest} min` : `in ${hours} h`;
}
