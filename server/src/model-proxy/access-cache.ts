import { CHANNELS } from '../../../schema/domain/channels.ts';
import { MODEL_KEY_PREFIX, modelKeyHash } from '../../../schema/domain/model-key.ts';
import type { PgListener } from '../db/pg-listener.ts';
import type { CredentialCipher } from './credential-cipher.ts';
import { grantedRoutes, type RouteRow, type Sql } from './ledger.ts';
import { unauthorized } from './openai-error.ts';

/** Who a runtime key belongs to. */
export interface Principal {
  runtimeId: string;
  userId: string;
}

/** A granted route with its upstream credential decrypted (kept in memory only). */
export type ResolvedRoute = RouteRow & { credential: string | null };

interface KeyEntry {
  principal: Principal | null;
  at: number;
}

/** Cached entries are re-read after this long even without a NOTIFY (a lost-NOTIFY safety net). */
const TTL_MS = 5 * 60_000;
/** Bound on remembered keys, so a flood of random keys cannot grow memory without limit. */
const MAX_KEYS = 50_000;

/**
 * Key and grant lookups for the proxy's hot path: one SQL read on a miss, none on a hit. Entries are
 * dropped by NOTIFY — `runtimeSpec` (stop/delete/restart bump the generation and so revoke the key),
 * `authInvalidate user:<id>` (disable), `modelAccess` (routes, grants, new credentials) — and all of
 * them when the LISTEN connection comes back, since NOTIFYs sent meanwhile are lost.
 */
export class AccessCache {
  private readonly keys = new Map<string, KeyEntry>();
  private readonly routes = new Map<string, Promise<Map<string, ResolvedRoute>>>();
  private readonly sql: Sql;
  private readonly cipher: CredentialCipher;

  constructor(sql: Sql, cipher: CredentialCipher) {
    this.sql = sql;
    this.cipher = cipher;
  }

  /** Subscribes to invalidations; returns the unsubscribe function. */
  listen(listener: PgListener): () => void {
    const offs = [
      listener.on(CHANNELS.runtimeSpec, (id) => this.dropRuntime(id)),
      listener.on(CHANNELS.authInvalidate, (key) => {
        if (key.startsWith('user:')) this.dropUser(key.slice(5));
      }),
      listener.on(CHANNELS.modelAccess, (msg) => {
        if (msg === 'routes') this.routes.clear();
        else if (msg.startsWith('credential:')) this.dropRuntime(msg.slice(11), true);
      }),
      listener.onReconnect(() => this.clear()),
    ];
    return () => {
      for (const off of offs) off();
    };
  }

  clear(): void {
    this.keys.clear();
    this.routes.clear();
  }

  /** The principal of an `Authorization: Bearer clk_…` header; throws a 401 ProxyError otherwise. */
  async authenticate(header: string | undefined): Promise<Principal> {
    const key = header?.startsWith('Bearer ') ? header.slice(7).trim() : '';
    if (!key.startsWith(MODEL_KEY_PREFIX)) {
      throw unauthorized('Missing or malformed API key: send `Authorization: Bearer clk_…`.');
    }
    const hash = modelKeyHash(key);
    let entry = this.keys.get(hash);
    if (!entry || Date.now() - entry.at > TTL_MS) {
      entry = { principal: await this.lookup(hash), at: Date.now() };
      if (this.keys.size >= MAX_KEYS) this.keys.clear();
      this.keys.set(hash, entry);
    }
    if (!entry.principal) {
      throw unauthorized(
        'Invalid API key: it is unknown or revoked (runtime stopped or deleted, owner disabled).',
      );
    }
    return entry.principal;
  }

  /** The routes `userId` may use, by public name. */
  routesOf(userId: string): Promise<Map<string, ResolvedRoute>> {
    let p = this.routes.get(userId);
    if (!p) {
      p = this.loadRoutes(userId);
      this.routes.set(userId, p);
      p.catch(() => this.routes.delete(userId));
    }
    return p;
  }

  private async loadRoutes(userId: string): Promise<Map<string, ResolvedRoute>> {
    const rows = await grantedRoutes(this.sql, userId);
    return new Map(
      rows.map((r) => [
        r.name,
        {
          ...r,
          credential: r.credentialCiphertext
            ? this.cipher.decrypt(r.credentialCiphertext, r.id)
            : null,
        },
      ]),
    );
  }

  private async lookup(hash: string): Promise<Principal | null> {
    const [row] = await this.sql(
      `select c.runtime_id, r.owner_id from runtime_credentials c
         join runtimes r on r.id = c.runtime_id join users u on u.id = r.owner_id
        where c.key_hash = ? and c.epoch = r.generation and r.desired_state = 'running' and u.status = 'active'`,
      [hash],
    );
    return row ? { runtimeId: String(row.runtime_id), userId: String(row.owner_id) } : null;
  }

  /** @param negatives also forget unknown keys (a new credential may make one valid). */
  private dropRuntime(runtimeId: string, negatives = false): void {
    for (const [hash, e] of this.keys) {
      if (e.principal ? e.principal.runtimeId === runtimeId : negatives) this.keys.delete(hash);
    }
  }

  private dropUser(userId: string): void {
    for (const [hash, e] of this.keys) if (e.principal?.userId === userId) this.keys.delete(hash);
    this.routes.delete(userId);
  }
}
