import type { Viewer } from './viewer.ts';

/** What a credential resolved to, cached per process. `viewer: null` = known-bad (revoked, disabled…). */
export interface AuthEntry {
  viewer: Viewer | null;
  /** The credential's user, also for known-bad entries, so `user:<id>` drops them too. */
  userId: string | null;
  /** Session rows: the stored SHA-256 of the cookie's secret. */
  secretHash?: string;
  /** Epoch ms after which the entry (and the credential) is no longer valid. */
  validUntil: number;
  /** API tokens: when `lastUsedAt` was last written (ms), to write it at most once a minute. */
  lastUsedWrite?: number;
}

/**
 * Credential → viewer cache that makes steady-state authentication free of database queries.
 * Invalidated by key (`session:<id>`, `user:<id>`) on NOTIFY, and wholesale when the LISTEN connection
 * reconnects (NOTIFYs may have been missed). `epoch` guards against a load that started before an
 * invalidation storing stale state after it.
 */
export class AuthCache {
  private readonly entries = new Map<string, AuthEntry>();
  private readonly byUser = new Map<string, Set<string>>();
  private readonly maxEntries: number;
  epoch = 0;

  constructor(maxEntries = 50_000) {
    this.maxEntries = maxEntries;
  }

  get(key: string, now = Date.now()): AuthEntry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.validUntil <= now) {
      this.remove(key);
      return undefined;
    }
    return entry;
  }

  /** Stores `entry` unless an invalidation happened since `epochAtLoad`. */
  set(key: string, entry: AuthEntry, epochAtLoad: number): void {
    if (epochAtLoad !== this.epoch) return;
    this.remove(key);
    this.entries.set(key, entry);
    const userId = entry.userId;
    if (userId) {
      const keys = this.byUser.get(userId) ?? new Set<string>();
      this.byUser.set(userId, keys);
      keys.add(key);
    }
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.remove(oldest);
    }
  }

  /** Applies one invalidation: `session:<id>`, `user:<id>`, or `*` for everything. */
  invalidate(key: string): void {
    this.epoch++;
    if (key === '*') {
      this.entries.clear();
      this.byUser.clear();
    } else if (key.startsWith('user:')) {
      for (const k of this.byUser.get(key.slice(5)) ?? []) this.entries.delete(k);
      this.byUser.delete(key.slice(5));
    } else {
      this.remove(key);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    if (entry.userId) this.byUser.get(entry.userId)?.delete(key);
  }
}
