import { budgetWindowStart, periodEnd } from '../../../schema/domain/budget-period.ts';
import type { Context } from '../context.ts';
import { InvalidInputError } from '../graphql/errors.ts';
import {
  type EffectiveBudget,
  effectiveBudget,
  type UsageTotals,
  usageSince,
} from '../model-proxy/ledger.ts';
import { sqlRunner } from './runtime-spec-change.ts';

/** One aggregated line of the ledger. Dimensions not grouped by are null. */
export interface UsageLine {
  userId: string | null;
  username: string | null;
  model: string | null;
  /** UTC day, `YYYY-MM-DD`. */
  day: string | null;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

export type UsageDimension = 'user' | 'model' | 'day';

/** A user's standing against their budget, plus daily lines. */
export interface MyUsage {
  budget: EffectiveBudget | null;
  windowStart: Date | null;
  resetsAt: Date | null;
  used: UsageTotals;
  daily: UsageLine[];
}

const DIMENSION_SQL: Record<UsageDimension, string[]> = {
  user: ['m.user_id', 'us.username'],
  model: ['m.model'],
  day: [`to_char(m.at at time zone 'UTC', 'YYYY-MM-DD')`],
};

/** Aggregates `model_usage` over `[from, to)`, grouped by the given dimensions, optionally for one user. */
export async function aggregateUsage(
  ctx: Context,
  q: { from: Date; to: Date; groupBy: UsageDimension[]; userId?: string | null },
): Promise<UsageLine[]> {
  if (!(q.from < q.to))
    throw new InvalidInputError([{ path: 'to', message: 'must be after from' }]);
  const dims = [...new Set(q.groupBy)];
  const cols = dims.flatMap((d) => DIMENSION_SQL[d]);
  const select = [
    dims.includes('user') ? 'm.user_id, us.username' : 'null as user_id, null as username',
    dims.includes('model') ? 'm.model' : 'null as model',
    dims.includes('day') ? `${DIMENSION_SQL.day[0]} as day` : 'null as day',
  ].join(', ');
  const rows = await sqlRunner(ctx.em)(
    `select ${select}, count(*)::int as requests, coalesce(sum(m.prompt_tokens), 0)::bigint as prompt,
            coalesce(sum(m.completion_tokens), 0)::bigint as completion, coalesce(sum(m.cost_usd), 0)::float8 as cost
       from model_usage m left join users us on us.id = m.user_id
      where m.at >= ? and m.at < ? ${q.userId ? 'and m.user_id = ?' : ''}
      ${cols.length ? `group by ${cols.join(', ')} order by ${cols.join(', ')}` : ''}`,
    q.userId ? [q.from, q.to, q.userId] : [q.from, q.to],
  );
  return rows.map((r) => ({
    userId: (r.user_id as string | null) ?? null,
    username: (r.username as string | null) ?? null,
    model: (r.model as string | null) ?? null,
    day: (r.day as string | null) ?? null,
    requests: Number(r.requests),
    promptTokens: Number(r.prompt),
    completionTokens: Number(r.completion),
    costUsd: Number(r.cost),
  }));
}

/** The viewer's usage in their current budget window and per day over the last `days` days. */
export async function myUsage(ctx: Context, userId: string, days: number): Promise<MyUsage> {
  if (!Number.isInteger(days) || days < 1 || days > 366)
    throw new InvalidInputError([{ path: 'days', message: 'must be 1–366' }]);
  const now = new Date();
  const sql = sqlRunner(ctx.em);
  const budget = await effectiveBudget(sql, userId);
  const windowStart = budget ? budgetWindowStart(budget.period, budget.resetAt, now) : null;
  const from = new Date(
    Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - days + 1),
  );
  const [used, daily] = await Promise.all([
    usageSince(sql, userId, windowStart ?? from),
    aggregateUsage(ctx, { from, to: new Date(now.getTime() + 1), groupBy: ['day'], userId }),
  ]);
  return {
    budget,
    windowStart,
    resetsAt: budget ? periodEnd(budget.period, now) : null,
    used,
    daily,
  };
}
