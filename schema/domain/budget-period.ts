import type { BudgetPeriod } from './enums.ts';

/** Start of the budget period containing `now`, at UTC calendar boundaries (weeks start on Monday). */
export function periodStart(period: BudgetPeriod, now: Date): Date {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const d = now.getUTCDate();
  if (period === 'month') return new Date(Date.UTC(y, m, 1));
  if (period === 'day') return new Date(Date.UTC(y, m, d));
  const sinceMonday = (now.getUTCDay() + 6) % 7;
  return new Date(Date.UTC(y, m, d - sinceMonday));
}

/** When the period containing `now` ends (the next automatic reset). */
export function periodEnd(period: BudgetPeriod, now: Date): Date {
  const start = periodStart(period, now);
  const y = start.getUTCFullYear();
  const m = start.getUTCMonth();
  const d = start.getUTCDate();
  if (period === 'month') return new Date(Date.UTC(y, m + 1, 1));
  return new Date(Date.UTC(y, m, d + (period === 'day' ? 1 : 7)));
}

/**
 * Usage counts from the later of the period start and the last manual reset: resetting a budget never
 * edits the ledger, it only moves the window's start.
 */
export function budgetWindowStart(period: BudgetPeriod, resetAt: Date | null, now: Date): Date {
  const start = periodStart(period, now);
  return resetAt && resetAt > start && resetAt <= now ? resetAt : start;
}
