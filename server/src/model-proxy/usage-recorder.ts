import type { Logger } from '../logger.ts';
import type { Sql } from './ledger.ts';

/** One ledger row (`model_usage`). */
export interface UsageRow {
  userId: string;
  runtimeId: string;
  routeId: string;
  model: string;
  endpoint: 'chat' | 'embeddings';
  stream: boolean;
  promptTokens: number;
  completionTokens: number;
  costUsd: number | null;
  latencyMs: number;
  status: number;
  at: Date;
}

export interface UsageRecorderOptions {
  /** Longest a row waits before its batch is written. @default 50 */
  flushMs?: number;
  /** Rows per INSERT at most. @default 500 */
  maxBatch?: number;
}

const COLUMNS = 12;

/**
 * The proxy's only database write: usage rows, batched into multi-row INSERTs so the hot path costs
 * at most one write per request and usually far less. A failed batch is retried once, then logged
 * (with its totals) and dropped rather than blocking requests.
 */
export class UsageRecorder {
  private pending: UsageRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly sql: Sql;
  private readonly logger: Logger;
  private readonly flushMs: number;
  private readonly maxBatch: number;

  constructor(sql: Sql, logger: Logger, options: UsageRecorderOptions = {}) {
    this.sql = sql;
    this.logger = logger;
    this.flushMs = options.flushMs ?? 50;
    this.maxBatch = options.maxBatch ?? 500;
  }

  record(row: UsageRow): void {
    this.pending.push(row);
    if (this.pending.length >= this.maxBatch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  /** Writes everything recorded so far; resolves when it is committed. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    this.flushing = this.flushing.then(() => (batch.length ? this.write(batch) : undefined));
    return this.flushing;
  }

  private async write(batch: UsageRow[]): Promise<void> {
    const values = batch.map(() => `(${Array(COLUMNS).fill('?').join(', ')})`).join(', ');
    const params = batch.flatMap((r) => [
      r.userId,
      r.runtimeId,
      r.routeId,
      r.model,
      r.endpoint,
      r.stream,
      r.promptTokens,
      r.completionTokens,
      r.costUsd,
      r.latencyMs,
      r.status,
      r.at,
    ]);
    const sql = `insert into model_usage (user_id, runtime_id, route_id, model, endpoint, stream, prompt_tokens,
                   completion_tokens, cost_usd, latency_ms, status, at) values ${values}`;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.sql(sql, params);
        return;
      } catch (err) {
        if (attempt >= 2) {
          const tokens = batch.reduce((n, r) => n + r.promptTokens + r.completionTokens, 0);
          this.logger.error({ err, rows: batch.length, tokens }, 'usage rows lost');
          return;
        }
      }
    }
  }
}
