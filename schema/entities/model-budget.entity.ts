import { defineEntity, p } from '@mikro-orm/core';
import { BUDGET_PERIODS } from '../domain/enums.ts';
import { User } from './user.entity.ts';

/**
 * A user's model budget, or the default for users without one (`user` null). Null limits are
 * unlimited. Usage is counted from the model_usage ledger over the current window (domain/budget-period.ts).
 */
export const ModelBudgetSchema = defineEntity({
  name: 'ModelBudget',
  tableName: 'model_budgets',
  uniques: [
    {
      name: 'model_budgets_default_unique',
      expression:
        'create unique index "model_budgets_default_unique" on "model_budgets" ((1)) where "user_id" is null',
    },
  ],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    user: () => p.manyToOne(User).nullable().unique().deleteRule('cascade'),
    period: p.enum(BUDGET_PERIODS).default('month'),
    tokenLimit: p.bigint('number').nullable(),
    /** USD; counts only routes with prices. */
    costLimitUsd: p.double().nullable(),
    /** Per runtime key, per proxy process. */
    requestsPerMinute: p.integer().nullable(),
    /** Manual reset: usage counts from here when it falls inside the current period. */
    resetAt: p.datetime().nullable(),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});

export class ModelBudget extends ModelBudgetSchema.class {}
ModelBudgetSchema.setClass(ModelBudget);
