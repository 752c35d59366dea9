import { ModelBudget } from '../../../../schema/entities/model-budget.entity.ts';
import { auditedDenial } from '../../services/audit.ts';
import { listBudgets, removeBudget, resetBudget, setBudget } from '../../services/budgets.ts';
import { findVisibleUser } from '../../services/users.ts';
import { builder } from '../builder.ts';
import { NotFoundError } from '../errors.ts';
import { COMMON_ERRORS } from './error-types.ts';
import { UserRef } from './user.ts';

export const BudgetPeriodEnum = builder.enumType('BudgetPeriod', {
  description: 'Budget windows start at UTC calendar boundaries (weeks on Monday).',
  values: { DAY: { value: 'day' }, WEEK: { value: 'week' }, MONTH: { value: 'month' } } as const,
});

/** Limits on a user's model use (or the default for users without their own). Null = unlimited. */
export const ModelBudgetRef = builder.objectType(ModelBudget, {
  name: 'ModelBudget',
  fields: (t) => ({
    id: t.exposeID('id'),
    user: t.field({
      type: UserRef,
      nullable: true,
      description: 'Null: the default budget.',
      resolve: (b, _a, ctx) => (b.user ? findVisibleUser(ctx, b.user.id) : null),
    }),
    period: t.expose('period', { type: BudgetPeriodEnum }),
    tokenLimit: t.exposeFloat('tokenLimit', {
      nullable: true,
      description: 'Tokens (prompt + completion) per period.',
    }),
    costLimitUsd: t.float({
      resolve: (b) => (b.costLimitUsd == null ? null : Number(b.costLimitUsd)),
      nullable: true,
      description: 'USD per period (priced routes only).',
    }),
    requestsPerMinute: t.exposeInt('requestsPerMinute', {
      nullable: true,
      description: 'Per runtime key.',
    }),
    resetAt: t.expose('resetAt', { type: 'DateTime', nullable: true }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const SetBudgetInput = builder.inputType('SetModelBudgetInput', {
  fields: (t) => ({
    user: t.globalID({ for: UserRef, description: 'Omit to set the default budget.' }),
    period: t.field({ type: BudgetPeriodEnum, required: true }),
    tokenLimit: t.float(),
    costLimitUsd: t.float(),
    requestsPerMinute: t.int(),
  }),
});

const ADMIN_WRITE = { $all: { admin: true, tokenScope: 'users:write' } } as const;

builder.queryField('modelBudgets', (t) =>
  t.field({
    type: [ModelBudgetRef],
    description: 'Every budget (the default has no user). Admin only.',
    authScopes: { $all: { admin: true, tokenScope: 'models:read' } },
    errors: { types: COMMON_ERRORS },
    resolve: (_root, _args, ctx) => listBudgets(ctx),
  }),
);

builder.mutationField('setModelBudget', (t) =>
  t.field({
    type: ModelBudgetRef,
    description:
      "Creates or replaces a user's budget, or the default. Proxies apply it within a NOTIFY.",
    authScopes: ADMIN_WRITE,
    unauthorizedResolver: auditedDenial('model.budget.set'),
    errors: { types: [...COMMON_ERRORS, NotFoundError], directResult: true },
    args: { input: t.arg({ type: SetBudgetInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      setBudget(ctx, { ...input, userId: input.user?.id ?? null }),
  }),
);

builder.mutationField('removeModelBudget', (t) =>
  t.field({
    type: 'Boolean',
    description:
      "Removes a user's own budget (the default applies again), or the default (omit `user`).",
    authScopes: ADMIN_WRITE,
    unauthorizedResolver: auditedDenial('model.budget.remove'),
    errors: { types: COMMON_ERRORS, directResult: false },
    args: { user: t.arg.globalID({ for: UserRef }) },
    resolve: (_root, args, ctx) => removeBudget(ctx, args.user?.id ?? null),
  }),
);

builder.mutationField('resetModelBudget', (t) =>
  t.field({
    type: ModelBudgetRef,
    description: "Restarts a user's budget window now (the usage ledger is kept).",
    authScopes: ADMIN_WRITE,
    unauthorizedResolver: auditedDenial('model.budget.reset'),
    errors: { types: [...COMMON_ERRORS, NotFoundError], directResult: true },
    args: { user: t.arg.globalID({ for: UserRef, required: true }) },
    resolve: (_root, args, ctx) => resetBudget(ctx, args.user.id),
  }),
);
