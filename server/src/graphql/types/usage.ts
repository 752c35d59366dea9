import type { EffectiveBudget } from '../../model-proxy/ledger.ts';
import { aggregateUsage, type MyUsage, myUsage, type UsageLine } from '../../services/usage.ts';
import { builder } from '../builder.ts';
import { BudgetPeriodEnum } from './budget.ts';
import { COMMON_ERRORS } from './error-types.ts';
import { UserRef } from './user.ts';

const UsageDimensionEnum = builder.enumType('UsageDimension', {
  values: { USER: { value: 'user' }, MODEL: { value: 'model' }, DAY: { value: 'day' } } as const,
});

/** Token counts are Float: sums can outgrow GraphQL's 32-bit Int. */
const UsageLineRef = builder.objectRef<UsageLine>('UsageLine').implement({
  description: 'Aggregated ledger rows; dimensions not grouped by are null.',
  fields: (t) => ({
    userId: t.exposeID('userId', { nullable: true }),
    username: t.exposeString('username', { nullable: true }),
    model: t.exposeString('model', { nullable: true }),
    day: t.exposeString('day', { nullable: true, description: 'UTC day, YYYY-MM-DD.' }),
    requests: t.exposeInt('requests'),
    promptTokens: t.exposeFloat('promptTokens'),
    completionTokens: t.exposeFloat('completionTokens'),
    totalTokens: t.float({ resolve: (l) => l.promptTokens + l.completionTokens }),
    costUsd: t.exposeFloat('costUsd'),
  }),
});

const EffectiveBudgetRef = builder.objectRef<EffectiveBudget>('EffectiveBudget').implement({
  fields: (t) => ({
    isDefault: t.exposeBoolean('isDefault'),
    period: t.expose('period', { type: BudgetPeriodEnum }),
    tokenLimit: t.exposeFloat('tokenLimit', { nullable: true }),
    costLimitUsd: t.exposeFloat('costLimitUsd', { nullable: true }),
    requestsPerMinute: t.exposeInt('requestsPerMinute', { nullable: true }),
  }),
});

const MyUsageRef = builder.objectRef<MyUsage>('MyUsage').implement({
  fields: (t) => ({
    budget: t.field({ type: EffectiveBudgetRef, nullable: true, resolve: (u) => u.budget }),
    windowStart: t.expose('windowStart', { type: 'DateTime', nullable: true }),
    resetsAt: t.expose('resetsAt', { type: 'DateTime', nullable: true }),
    usedTokens: t.float({ resolve: (u) => u.used.tokens }),
    usedCostUsd: t.float({ resolve: (u) => u.used.costUsd }),
    requests: t.int({ resolve: (u) => u.used.requests }),
    remainingTokens: t.float({
      nullable: true,
      resolve: (u) =>
        u.budget?.tokenLimit == null ? null : Math.max(0, u.budget.tokenLimit - u.used.tokens),
    }),
    daily: t.field({ type: [UsageLineRef], resolve: (u) => u.daily }),
  }),
});

builder.queryField('myUsage', (t) =>
  t.field({
    type: MyUsageRef,
    description: 'Your model usage against your budget (current window), and per UTC day.',
    authScopes: { $all: { member: true, tokenScope: 'models:read' } },
    errors: { types: COMMON_ERRORS },
    args: { days: t.arg.int({ defaultValue: 30, description: '1–366 days of daily lines.' }) },
    resolve: (_root, args, ctx) => myUsage(ctx, ctx.viewer?.userId as string, args.days ?? 30),
  }),
);

builder.queryField('usageReport', (t) =>
  t.field({
    type: [UsageLineRef],
    description: 'Usage over [from, to), grouped by user, model and/or day. Admin only.',
    authScopes: { $all: { admin: true, tokenScope: 'models:read' } },
    errors: { types: COMMON_ERRORS },
    args: {
      from: t.arg({ type: 'DateTime', required: true }),
      to: t.arg({ type: 'DateTime', required: true }),
      groupBy: t.arg({ type: [UsageDimensionEnum], required: true }),
      user: t.arg.globalID({ for: UserRef }),
    },
    resolve: (_root, args, ctx) =>
      aggregateUsage(ctx, {
        from: args.from,
        to: args.to,
        groupBy: args.groupBy,
        userId: args.user?.id,
      }),
  }),
);
