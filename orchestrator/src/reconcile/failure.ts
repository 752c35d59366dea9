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
