import type { EntityManager } from '@mikro-orm/postgresql';
import { CHANNELS } from '../../../schema/domain/channels.ts';
import type { BudgetPeriod } from '../../../schema/domain/enums.ts';
import { ModelBudget } from '../../../schema/entities/model-budget.entity.ts';
import { User } from '../../../schema/entities/user.entity.ts';
import { isUuid } from '../auth/crypto.ts';
import type { Context } from '../context.ts';
import { type FieldError, InvalidInputError, NotFoundError } from '../graphql/errors.ts';
import { audit } from './audit.ts';
import { sqlRunner } from './runtime-spec-change.ts';

/** A budget as an admin sets it. Null limits are unlimited. */
export interface BudgetInput {
  /** The user; null sets the default for everyone without their own budget. */
  userId: string | null;
  period: BudgetPeriod;
  tokenLimit?: number | null;
  costLimitUsd?: number | null;
  requestsPerMinute?: number | null;
}

function validate(input: BudgetInput): FieldError[] {
  const errors: FieldError[] = [];
  const positiveInt = (v: number | null | undefined) =>
    v == null || (Number.isSafeInteger(v) && v >= 0);
  if (!positiveInt(input.tokenLimit))
    errors.push({ path: 'tokenLimit', message: 'must be a whole number ≥ 0' });
  if (input.costLimitUsd != null && !(input.costLimitUsd >= 0))
    errors.push({ path: 'costLimitUsd', message: 'must be ≥ 0' });
  if (
    input.requestsPerMinute != null &&
    !(Number.isInteger(input.requestsPerMinute) && input.requestsPerMinute >= 1)
  )
    errors.push({ path: 'requestsPerMinute', message: 'must be a whole number ≥ 1' });
  return errors;
}

/** Proxies drop the cached budget (and running total) of one user, or of everyone. */
async function notifyBudget(em: EntityManager, userId: string | null): Promise<void> {
  await sqlRunner(em)('select pg_notify(?, ?)', [CHANNELS.modelAccess, `budget:${userId ?? '*'}`]);
}

async function requireUser(em: EntityManager, userId: string | null): Promise<void> {
  if (userId !== null && !(isUuid(userId) && (await em.count(User, { id: userId }))))
    throw new NotFoundError('User');
}

export function listBudgets(ctx: Context): Promise<ModelBudget[]> {
  return ctx.em.find(
    ModelBudget,
    {},
    { populate: ['user'], orderBy: { user: { usernameKey: 'asc' } } },
  );
}

/** Creates or replaces the budget of a user (or the default). */
export async function setBudget(ctx: Context, input: BudgetInput): Promise<ModelBudget> {
  const errors = validate(input);
  if (errors.length) throw new InvalidInputError(errors);
  return ctx.em.transactional(async (em) => {
    await requireUser(em, input.userId);
    const budget =
      (await em.findOne(ModelBudget, { user: input.userId }, { populate: ['user'] })) ??
      em.create(ModelBudget, { user: input.userId ? em.getReference(User, input.userId) : null });
    budget.period = input.period;
    budget.tokenLimit = input.tokenLimit ?? null;
    budget.costLimitUsd = input.costLimitUsd ?? null;
    budget.requestsPerMinute = input.requestsPerMinute ?? null;
    audit(em, ctx, {
      action: 'model.budget.set',
      result: 'ok',
      targetType: 'User',
      targetId: input.userId ?? '*',
      detail: { ...input },
    });
    await em.flush();
    await notifyBudget(em, input.userId);
    return budget;
  });
}

/** Removes a user's own budget (the default applies again) or the default itself. */
export async function removeBudget(ctx: Context, userId: string | null): Promise<boolean> {
  return ctx.em.transactional(async (em) => {
    const budget = await em.findOne(ModelBudget, { user: userId });
    if (!budget) return false;
    em.remove(budget);
    audit(em, ctx, {
      action: 'model.budget.remove',
      result: 'ok',
      targetType: 'User',
      targetId: userId ?? '*',
    });
    await em.flush();
    await notifyBudget(em, userId);
    return true;
  });
}

/**
 * Starts the user's current budget window now: usage before it no longer counts (the ledger itself is
 * never edited). A user on the default budget gets their own copy of it, carrying the reset.
 */
export async function resetBudget(ctx: Context, userId: string): Promise<ModelBudget> {
  return ctx.em.transactional(async (em) => {
    await requireUser(em, userId);
    let budget = await em.findOne(ModelBudget, { user: userId }, { populate: ['user'] });
    if (!budget) {
      const fallback = await em.findOne(ModelBudget, { user: null });
      if (!fallback) throw new NotFoundError('Budget');
      budget = em.create(ModelBudget, {
        user: em.getReference(User, userId),
        period: fallback.period,
        tokenLimit: fallback.tokenLimit,
        costLimitUsd: fallback.costLimitUsd,
        requestsPerMinute: fallback.requestsPerMinute,
      });
    }
    budget.resetAt = new Date();
    audit(em, ctx, {
      action: 'model.budget.reset',
      result: 'ok',
      targetType: 'User',
      targetId: userId,
    });
    await em.flush();
    await notifyBudget(em, userId);
    return budget;
  });
}
