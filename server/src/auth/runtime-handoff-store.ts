/** Runs one SQL statement (`?` placeholders) and returns its rows. */
export type SqlQuery = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

export interface HandoffStoreOptions {
  /** Rows are kept this long past their token's expiry (clock skew between processes). @default 300000 */
  graceMs?: number;
  /** Prune expired rows at most this often per process. @default 60000 */
  pruneEveryMs?: number;
  /** @default Date.now */
  now?: () => number;
}

/**
 * The seen-set of redeemed hand-off token ids, in PostgreSQL: the primary key makes "first redeemer
 * wins" atomic across every server process (a process-local set would let a token be replayed once
 * per process within its 60 s, e.g. behind a load balancer). One indexed insert per sign-in; rows
 * outlive their token by `graceMs` and are then pruned, opportunistically, by whoever redeems next.
 */
export class HandoffStore {
  private readonly query: SqlQuery;
  private readonly graceMs: number;
  private readonly pruneEveryMs: number;
  private readonly now: () => number;
  private lastPrune = 0;

  constructor(query: SqlQuery, options: HandoffStoreOptions = {}) {
    this.query = query;
    this.graceMs = options.graceMs ?? 300_000;
    this.pruneEveryMs = options.pruneEveryMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Records `jti` as used; true only for the first caller, in any process. */
  async claim(jti: string, expiresAtSeconds: number): Promise<boolean> {
    const keepUntil = new Date(expiresAtSeconds * 1000 + this.graceMs);
    const rows = await this.query(
      'insert into runtime_handoffs (jti, expires_at) values (?, ?) on conflict do nothing returning jti',
      [jti, keepUntil],
    );
    void this.prune();
    return rows.length === 1;
  }

  private async prune(): Promise<void> {
    const now = this.now();
    if (now - this.lastPrune < this.pruneEveryMs) return;
    this.lastPrune = now;
    // Pruning is housekeeping: a failure only delays it to the next interval.
    await this.query('delete from runtime_handoffs where expires_at < ?', [new Date(now)]).catch(
      () => {},
    );
  }
}
