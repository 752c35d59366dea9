import type { BudgetPeriod, UpstreamKind } from '../../../schema/domain/enums.ts';

/** Runs one statement (MikroORM `?` placeholders) and returns its rows. */
export type Sql = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

/** A granted, enabled route as the proxy needs it (credential still encrypted). */
export interface RouteRow {
  id: string;
  name: string;
  kind: UpstreamKind;
  baseUrl: string;
  upstreamModel: string;
  credentialCiphertext: string | null;
  visible: boolean;
  isDefault: boolean;
  createdAt: Date;
  contextWindow: number | null;
  maxTokens: number | null;
  inputPricePerMTok: number | null;
  outputPricePerMTok: number | null;
}

/** Enabled routes `userId` may use: granted to them or to everyone. Default first, then by name. */
export async function grantedRoutes(sql: Sql, userId: string): Promise<RouteRow[]> {
  const rows = await sql(
    `select r.id, r.name, r.upstream_kind, r.base_url, r.upstream_model, r.credential_ciphertext, r.visible,
            r.is_default, r.created_at, r.context_window, r.max_tokens, r.input_price_per_mtok, r.output_price_per_mtok
       from model_routes r
      where r.enabled and exists (select 1 from model_grants g
                                   where g.route_id = r.id and (g.user_id is null or g.user_id = ?))
      order by r.is_default desc, r.name`,
    [userId],
  );
  return rows.map((r) => ({
    id: String(r.id),
    name: String(r.name),
    kind: r.upstream_kind as UpstreamKind,
    baseUrl: String(r.base_url),
    upstreamModel: String(r.upstream_model),
    credentialCiphertext: (r.credential_ciphertext as string | null) ?? null,
    visible: Boolean(r.visible),
    isDefault: Boolean(r.is_default),
    createdAt: new Date(r.created_at as string),
    contextWindow: (r.context_window as number | null) ?? null,
    maxTokens: (r.max_tokens as number | null) ?? null,
    inputPricePerMTok: (r.input_price_per_mtok as number | null) ?? null,
    outputPricePerMTok: (r.output_price_per_mtok as number | null) ?? null,
  }));
}

/** The budget that applies to a user: their own, else the default, else none (unlimited). */
export interface EffectiveBudget {
  /** True when it is the default budget (no per-user row). */
  isDefault: boolean;
  period: BudgetPeriod;
  tokenLimit: number | null;
  costLimitUsd: number | null;
  requestsPerMinute: number | null;
  resetAt: Date | null;
}

export async function effectiveBudget(sql: Sql, userId: string): Promise<EffectiveBudget | null> {
  const [r] = await sql(
    `select user_id, period, token_limit, cost_limit_usd, requests_per_minute, reset_at from model_budgets
      where user_id = ? or user_id is null order by user_id nulls last limit 1`,
    [userId],
  );
  if (!r) return null;
  return {
    isDefault: r.user_id === null,
    period: r.period as BudgetPeriod,
    tokenLimit: r.token_limit === null ? null : Number(r.token_limit),
    costLimitUsd: (r.cost_limit_usd as number | null) ?? null,
    requestsPerMinute: (r.requests_per_minute as number | null) ?? null,
    resetAt: r.reset_at ? new Date(r.reset_at as string) : null,
  };
}

export interface UsageTotals {
  tokens: number;
  costUsd: number;
  requests: number;
}

/** What `userId` used since `since`, from the ledger (the source of truth for budgets). */
export async function usageSince(sql: Sql, userId: string, since: Date): Promise<UsageTotals> {
  const [r] = await sql(
    `select coalesce(sum(prompt_tokens + completion_tokens), 0)::bigint as tokens,
            coalesce(sum(cost_usd), 0)::float8 as cost, count(*)::int as requests
       from model_usage where user_id = ? and at >= ?`,
    [userId, since],
  );
  return {
    tokens: Number(r?.tokens ?? 0),
    costUsd: Number(r?.cost ?? 0),
    requests: Number(r?.requests ?? 0),
  };
}

/** Cost in USD when the route has prices; null otherwise (cost budgets ignore unpriced routes). */
export function costOf(
  route: Pick<RouteRow, 'inputPricePerMTok' | 'outputPricePerMTok'>,
  promptTokens: number,
  completionTokens: number,
): number | null {
  if (route.inputPricePerMTok === null && route.outputPricePerMTok === null) return null;
  return (
    (promptTokens * (route.inputPricePerMTok ?? 0) +
      completionTokens * (route.outputPricePerMTok ?? 0)) /
    1_000_000
  );
}
