import { budgetWindowStart, periodEnd } from '../../../schema/domain/budget-period.ts';
import { CHANNELS } from '../../../schema/domain/channels.ts';
import type { PgListener } from '../db/pg-listener.ts';
import { type EffectiveBudget, effectiveBudget, type Sql, usageSince } from './ledger.ts';
import { ProxyError } from './openai-error.ts';

export interface BudgetGateOptions {
  /**
   * How stale a user's in-memory usage total may get before it is re-read from the ledger. Other proxy
   * processes' usage becomes visible within this time. @default 5000
   */
  refreshMs?: number;
  now?: () => number;
}

interface Spent {
  windowStart: number;
  tokens: number;
  costUsd: number;
  loadedAt: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Budgets and request-rate limits, checked before a request goes upstream.
 *
 * The ledger (`model_usage`) is the source of truth: a user's total for the current window is read
 * from it at most every `refreshMs`, and this process adds what it records meanwhile, so a budget is
 * enforced at once here and across processes within `refreshMs`. Requests already in flight when the
 * budget runs out finish (as with every token-metered API). Rate limits are token buckets per runtime
 * key, per process.
 */
export class BudgetGate {
  private readonly budgets = new Map<string, Promise<EffectiveBudget | null>>();
  private readonly spent = new Map<string, Spent>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly sql: Sql;
  private readonly refreshMs: number;
  private readonly now: () => number;

  constructor(sql: Sql, options: BudgetGateOptions = {}) {
    this.sql = sql;
    this.refreshMs = options.refreshMs ?? 5000;
    this.now = options.now ?? Date.now;
  }

  listen(listener: PgListener): () => void {
    const offs = [
      listener.on(CHANNELS.modelAccess, (msg) => {
        if (msg === 'budget:*') this.clear();
        else if (msg.startsWith('budget:')) this.dropUser(msg.slice(7));
      }),
      listener.onReconnect(() => this.clear()),
    ];
    return () => {
      for (const off of offs) off();
    };
  }

  clear(): void {
    this.budgets.clear();
    this.spent.clear();
  }

  /** Throws a 429 ProxyError when the user's budget is spent or the runtime exceeds its rate. */
  async check(userId: string, runtimeId: string): Promise<void> {
    const budget = await this.budgetOf(userId);
    if (!budget) return;
    if (budget.requestsPerMinute !== null) this.take(runtimeId, budget.requestsPerMinute);
    if (budget.tokenLimit === null && budget.costLimitUsd === null) return;
    const spent = await this.spentOf(userId, budget);
    const resets = periodEnd(budget.period, new Date(this.now())).toISOString();
    if (budget.tokenLimit !== null && spent.tokens >= budget.tokenLimit) {
      throw quota(
        `Token budget exhausted: ${spent.tokens} of ${budget.tokenLimit} tokens used this ${budget.period}. It resets at ${resets}.`,
      );
    }
    if (budget.costLimitUsd !== null && spent.costUsd >= budget.costLimitUsd) {
      throw quota(
        `Cost budget exhausted: $${spent.costUsd.toFixed(4)} of $${budget.costLimitUsd} used this ${budget.period}. It resets at ${resets}.`,
      );
    }
  }

  /** Adds a request this process just recorded to the user's running total. */
  add(userId: string, tokens: number, costUsd: number | null): void {
    const s = this.spent.get(userId);
    if (!s) return;
    s.tokens += tokens;
    s.costUsd += costUsd ?? 0;
  }

  private budgetOf(userId: string): Promise<EffectiveBudget | null> {
    let p = this.budgets.get(userId);
    if (!p) {
      p = effectiveBudget(this.sql, userId);
      this.budgets.set(userId, p);
      p.catch(() => this.budgets.delete(userId));
    }
    return p;
  }

  private async spentOf(userId: string, budget: EffectiveBudget): Promise<Spent> {
    const now = this.now();
    const windowStart = budgetWindowStart(budget.period, budget.resetAt, new Date(now)).getTime();
    const cached = this.spent.get(userId);
    if (cached && cached.windowStart === windowStart && now - cached.loadedAt < this.refreshMs) {
      return cached;
    }
    const totals = await usageSince(this.sql, userId, new Date(windowStart));
    const fresh = { windowStart, tokens: totals.tokens, costUsd: totals.costUsd, loadedAt: now };
    this.spent.set(userId, fresh);
    return fresh;
  }

  private take(runtimeId: string, perMinute: number): void {
    const now = this.now();
    const rate = perMinute / 60_000;
    const b = this.buckets.get(runtimeId) ?? { tokens: perMinute, at: now };
    b.tokens = Math.min(perMinute, b.tokens + (now - b.at) * rate);
    b.at = now;
    this.buckets.set(runtimeId, b);
    if (b.tokens < 1) {
      const wait = Math.max(1, Math.ceil((1 - b.tokens) / rate / 1000));
      throw new ProxyError(
        429,
        'rate_limit_error',
        'rate_limit_exceeded',
        `Rate limit reached: ${perMinute} requests per minute for this runtime. Retry in ${wait} s.`,
        { 'retry-after': String(wait) },
      );
    }
    b.tokens -= 1;
  }

  private dropUser(userId: string): void {
    this.budgets.delete(userId);
    this.spent.delete(userId);
  }
}

function quota(message: string): ProxyError {
  return new ProxyError(429, 'insufficient_quota', 'budget_exceeded', message);
}
