import { CHANNELS } from '../../../schema/domain/channels.ts';
import type { DesiredState, RuntimePhase } from '../../../schema/domain/enums.ts';
import { userHostLabel } from '../../../schema/domain/slugs.ts';
import type { PgListener } from '../db/pg-listener.ts';
import type { RuntimeEventHub } from '../events/runtime-event-hub.ts';
import type { RuntimeRoute } from '../forward-auth/types.ts';

/** Runs one SQL statement (`?` placeholders) and returns its rows. */
export type SqlQuery = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

interface Row extends RuntimeRoute {
  label: string;
  desiredState: DesiredState;
  createdAt: number;
}

const SELECT = `select r.id, r.owner_id, u.username, r.endpoint, r.phase, r.desired_state, r.created_at
  from runtimes r join users u on u.id = r.owner_id where r.phase <> 'Deleted'`;
const UUID = /^[0-9a-f-]{36}$/i;

/**
 * Host label → runtime, for the entrance: every request is answered from memory (no SQL in steady
 * state). The whole table is read once, on first use; after that only what changed is re-read,
 * lazily, on the next lookup:
 * - a committed runtime event (from the shared `RuntimeEventHub`, gapless across reconnects) marks
 *   its runtime dirty — this covers new runtimes, phase and endpoint changes, deletion;
 * - `user:<id>` on the auth channel (rename, disable, delete) marks that owner's runtimes dirty;
 * - a lost LISTEN connection (NOTIFYs missed) forces a full reload.
 */
export class RuntimeRouting {
  /** SQL statements issued so far (benchmarks and tests assert the steady state issues none). */
  queries = 0;
  private readonly query: SqlQuery;
  private readonly byId = new Map<string, Row>();
  private readonly idsByLabel = new Map<string, Set<string>>();
  private readonly dirtyIds = new Set<string>();
  private readonly dirtyOwners = new Set<string>();
  private needsFullLoad = true;
  private flushing: Promise<void> | null = null;

  constructor(query: SqlQuery) {
    this.query = query;
  }

  /** Subscribes to invalidations; returns the unsubscribe function. */
  attach(hub: RuntimeEventHub, listener: PgListener): () => void {
    const offs = [
      hub.subscribe((event) => this.invalidateRuntime(event.runtimeId)),
      listener.on(CHANNELS.authInvalidate, (key) => {
        if (key.startsWith('user:')) this.invalidateOwner(key.slice(5));
        else if (key === '*') this.invalidateAll();
      }),
      listener.onReconnect(() => this.invalidateAll()),
    ];
    return () => {
      for (const off of offs) off();
    };
  }

  invalidateRuntime(id: string): void {
    if (UUID.test(id)) this.dirtyIds.add(id);
  }

  invalidateOwner(ownerId: string): void {
    if (UUID.test(ownerId)) this.dirtyOwners.add(ownerId);
  }

  invalidateAll(): void {
    this.needsFullLoad = true;
  }

  /** The runtime a host label addresses, or null. O(1) unless something was invalidated. */
  async lookup(label: string): Promise<RuntimeRoute | null> {
    if (this.needsFullLoad || this.dirtyIds.size > 0 || this.dirtyOwners.size > 0)
      await this.flush();
    const ids = this.idsByLabel.get(label);
    if (!ids) return null;
    let best: Row | undefined;
    for (const id of ids) {
      const row = this.byId.get(id);
      if (row && (!best || preferred(row, best))) best = row;
    }
    return best ? toRoute(best) : null;
  }

  /** One refresh at a time; lookups arriving meanwhile wait for it, then re-check for more work. */
  private async flush(): Promise<void> {
    while (this.needsFullLoad || this.dirtyIds.size > 0 || this.dirtyOwners.size > 0) {
      this.flushing ??= this.refresh().finally(() => {
        this.flushing = null;
      });
      await this.flushing;
    }
  }

  private async refresh(): Promise<void> {
    if (this.needsFullLoad) {
      this.needsFullLoad = false;
      this.dirtyIds.clear();
      this.dirtyOwners.clear();
      const rows = await this.run(SELECT, []);
      this.byId.clear();
      this.idsByLabel.clear();
      for (const r of rows) this.put(r);
      return;
    }
    const ids = [...this.dirtyIds];
    const owners = [...this.dirtyOwners];
    this.dirtyIds.clear();
    this.dirtyOwners.clear();
    const rows = await this.run(
      `${SELECT} and (r.id = any(?::uuid[]) or r.owner_id = any(?::uuid[]))`,
      [`{${ids.join(',')}}`, `{${owners.join(',')}}`],
    );
    for (const id of ids) this.remove(id);
    for (const row of [...this.byId.values()])
      if (owners.includes(row.ownerId)) this.remove(row.runtimeId);
    for (const r of rows) this.put(r);
  }

  private async run(sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
    this.queries++;
    try {
      return await this.query(sql, params);
    } catch (err) {
      // Keep serving what we have; the next lookup retries the whole table.
      this.needsFullLoad = true;
      throw err;
    }
  }

  private put(r: Record<string, unknown>): void {
    const row: Row = {
      runtimeId: String(r.id),
      ownerId: String(r.owner_id),
      ownerUsername: String(r.username),
      endpoint: r.endpoint === null || r.endpoint === undefined ? null : String(r.endpoint),
      phase: r.phase as RuntimePhase,
      desiredState: r.desired_state as DesiredState,
      createdAt: new Date(r.created_at as string | Date).getTime(),
      label: userHostLabel(String(r.username)),
    };
    this.remove(row.runtimeId);
    this.byId.set(row.runtimeId, row);
    const ids = this.idsByLabel.get(row.label) ?? new Set<string>();
    this.idsByLabel.set(row.label, ids);
    ids.add(row.runtimeId);
  }

  private remove(id: string): void {
    const row = this.byId.get(id);
    if (!row) return;
    this.byId.delete(id);
    const ids = this.idsByLabel.get(row.label);
    ids?.delete(id);
    if (ids?.size === 0) this.idsByLabel.delete(row.label);
  }
}

/** Several runtimes of one owner: a live one beats one being deleted; then the newest wins. */
function preferred(a: Row, b: Row): boolean {
  const liveA = a.desiredState !== 'deleted';
  const liveB = b.desiredState !== 'deleted';
  if (liveA !== liveB) return liveA;
  return a.createdAt > b.createdAt;
}

function toRoute(r: Row): RuntimeRoute {
  return {
    runtimeId: r.runtimeId,
    ownerId: r.ownerId,
    ownerUsername: r.ownerUsername,
    phase: r.phase,
    endpoint: r.endpoint,
  };
}
