import { CONDITION_TYPES, type Condition } from '../../../../schema/domain/conditions.ts';
import {
  DESIRED_STATES,
  type DesiredState,
  RETENTION_POLICIES,
  type RetentionPolicy,
  RUNTIME_PHASES,
  type RuntimePhase,
} from '../../../../schema/domain/enums.ts';
import type { RuntimeStatusView } from '../../services/runtime-status.ts';
import { builder } from '../builder.ts';

/** GraphQL enum over a domain list: `SCREAMING_CASE` names, the domain's own strings as values. */
function domainEnum<V extends string>(name: string, values: readonly V[], description: string) {
  const entries = values.map((v) => [v.toUpperCase(), { value: v }] as const);
  return builder.enumType(name, {
    description,
    values: Object.fromEntries(entries) as Record<string, { value: V }>,
  });
}

export const RuntimePhaseEnum = domainEnum<RuntimePhase>(
  'RuntimePhase',
  RUNTIME_PHASES,
  'What the orchestrator last observed (never what was merely requested).',
);
export const DesiredStateEnum = domainEnum<DesiredState>(
  'DesiredState',
  DESIRED_STATES,
  'What the owner or an admin asked for.',
);
export const RetentionPolicyEnum = domainEnum<RetentionPolicy>(
  'RetentionPolicy',
  RETENTION_POLICIES,
  'What happens to the workspace when the runtime is deleted.',
);
const ConditionTypeEnum = domainEnum(
  'RuntimeConditionType',
  CONDITION_TYPES,
  'Steps of a start, and failure.',
);
const ConditionStatusEnum = domainEnum(
  'ConditionStatus',
  ['True', 'False', 'Unknown'],
  'Tri-state, as in Kubernetes.',
);

export const RuntimeConditionRef = builder.objectRef<Condition>('RuntimeCondition').implement({
  description: 'One observed aspect of a runtime (Kubernetes `metav1.Condition` shape).',
  fields: (t) => ({
    type: t.field({ type: ConditionTypeEnum, resolve: (c) => c.type }),
    status: t.field({ type: ConditionStatusEnum, resolve: (c) => c.status }),
    reason: t.exposeString('reason', { description: 'CamelCase, machine-readable.' }),
    message: t.exposeString('message'),
    lastTransitionTime: t.field({
      type: 'DateTime',
      resolve: (c) => new Date(c.lastTransitionTime),
    }),
    observedGeneration: t.exposeInt('observedGeneration'),
  }),
});

export const RuntimeStatusRef = builder.objectRef<RuntimeStatusView>('RuntimeStatus').implement({
  description: 'Observed state, derived from the conditions and the phase.',
  fields: (t) => ({
    phase: t.field({ type: RuntimePhaseEnum, resolve: (s) => s.phase }),
    ready: t.exposeBoolean('ready', { description: 'Running and answering its health probe.' }),
    failed: t.exposeBoolean('failed'),
    conditions: t.field({ type: [RuntimeConditionRef], resolve: (s) => s.conditions }),
    message: t.exposeString('message', { description: 'One sentence for people.' }),
    lastError: t.exposeString('lastError', { nullable: true }),
    observedGeneration: t.exposeInt('observedGeneration'),
    upToDate: t.exposeBoolean('upToDate', {
      description:
        'The orchestrator has acted on the latest spec (observedGeneration >= generation).',
    }),
  }),
});
