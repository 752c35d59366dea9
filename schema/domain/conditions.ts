/**
 * Runtime status as a list of conditions (the Kubernetes `metav1.Condition` shape). Pure helpers: no I/O.
 * The GraphQL `Runtime.status` and the phase are derived from these, never stored as free text.
 */

export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** Condition types the orchestrator reports, in the order a start walks through them. */
export const CONDITION_TYPES = ['Scheduled', 'Installed', 'Started', 'Ready', 'Failed'] as const;
export type ConditionType = (typeof CONDITION_TYPES)[number];

export interface Condition {
  type: ConditionType;
  status: ConditionStatus;
  /** CamelCase machine-readable reason, e.g. `CrashLoop`, `ConfigRejected`, `Idle`. */
  reason: string;
  /** Human-readable explanation; shown to the user as is. */
  message: string;
  /** ISO-8601; changes only when `status` changes. */
  lastTransitionTime: string;
  observedGeneration: number;
}

export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

/**
 * Returns a new list with `next` set. `lastTransitionTime` moves only when the status flips, so a
 * repeated observation is a no-op (idempotent status writes).
 */
export function setCondition(
  list: readonly Condition[],
  next: ConditionInput,
  now: Date,
): Condition[] {
  const current = list.find((c) => c.type === next.type);
  const lastTransitionTime =
    current && current.status === next.status ? current.lastTransitionTime : now.toISOString();
  const merged: Condition = { ...next, lastTransitionTime };
  const others = list.filter((c) => c.type !== next.type);
  return [...others, merged].sort(
    (a, b) => CONDITION_TYPES.indexOf(a.type) - CONDITION_TYPES.indexOf(b.type),
  );
}

export function findCondition(
  list: readonly Condition[],
  type: ConditionType,
): Condition | undefined {
  return list.find((c) => c.type === type);
}

export function isTrue(list: readonly Condition[], type: ConditionType): boolean {
  return findCondition(list, type)?.status === 'True';
}

/** True when both lists say the same thing (ignoring transition times). */
export function sameConditions(a: readonly Condition[], b: readonly Condition[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((c) => {
    const o = findCondition(b, c.type);
    return (
      o !== undefined &&
      o.status === c.status &&
      o.reason === c.reason &&
      o.message === c.message &&
      o.observedGeneration === c.observedGeneration
    );
  });
}
