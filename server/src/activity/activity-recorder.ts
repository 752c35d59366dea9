import type { Logger } from '../logger.ts';

/** Statements on the pool, autocommit (the model proxy's `Sql` has this shape). */
export type ActivitySql = (sql: string, params: unknown[]) => Promise<unknown>;

/** Where the entrance and the credential proxy report activity (see auto-stop.ts for what counts). */
export interface ActivitySink {
  /** Cheap and synchronous: remembers the time in memory; nothing is written here. */
  touch(runtimeId: string): void;
}

export interface ActivityRecorderOptions {
  /** How often remembered activity is written. @default 30_000 */
  flushMs?: number;
  /** @default Date.now */
  now?: () => number;
}

/**
 * Activity in memory, written in batches: one statement per flush for every runtime touched since
 * the last one (`UPDATE … FROM jsonb_to_recordset(…)`), however many requests there were, and none when there
 * were none. `greatest()` keeps the newest time when several server processes flush the same runtime,
 * and the owner's `users.last_activity_at` moves in the same statement. A failed flush keeps its
 * entries for the next one, so a database blip delays activity without losing it.
 */
export class ActivityRecorder implements ActivitySink {
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<number> = Promise.resolve(0);
  private readonly flushMs: number;
  private readonly now: () => number;
  private readonly sql: ActivitySql;
  private readonly logger: Pick<Logger, 'warn'>;

  constructor(
    sql: ActivitySql,
    logger: Pick<Logger, 'warn'>,
    options: ActivityRecorderOptions = {},
  ) {
    this.sql = sql;
    this.logger = logger;
    this.flushMs = options.flushMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  touch(runtimeId: string): void {
    this.pending.set(runtimeId, this.now());
  }

  /** Runtimes with activity not yet written (tests, metrics). */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Writes what was remembered so far; resolves with the number of runtimes written. */
  flush(): Promise<number> {
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.flushing.then(() => (batch.size ? this.write(batch) : 0));
    return this.flushing;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.flushMs);
    this.timer.unref();
  }

  /** Stops the timer and writes what is left. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  private async write(batch: Map<string, number>): Promise<number> {
    const seen = [...batch].map(([id, at]) => ({ id, at: new Date(at).toISOString() }));
    try {
      // One JSON parameter: the driver would expand JS arrays into parameter lists.
      await this.sql(
        `with seen as (select * from jsonb_to_recordset(?::jsonb) as s(id uuid, at timestamptz)),
              touched as (
                update runtimes r set last_activity_at = greatest(r.last_activity_at, seen.at)
                  from seen where r.id = seen.id returning r.owner_id, seen.at)
         update users u set last_activity_at = greatest(u.last_activity_at, t.at)
           from (select owner_id, max(at) as at from touched group by owner_id) t
          where u.id = t.owner_id`,
        [JSON.stringify(seen)],
      );
      return seen.length;
    } catch (err) {
      // Keep it for the next flush, unless newer activity for the runtime arrived meanwhile.
      for (const [id, at] of batch) if (!this.pending.has(id)) this.pending.set(id, at);
      this.logger.warn({ err, runtimes: seen.length }, 'activity not written; retrying next flush');
      return 0;
    }
  }
}
