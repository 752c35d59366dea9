import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { CHANNELS } from '../../../schema/domain/channels.ts';
import { ApiToken } from '../../../schema/entities/api-token.entity.ts';
import { Session } from '../../../schema/entities/session.entity.ts';
import type { User } from '../../../schema/entities/user.entity.ts';
import type { Config } from '../config.ts';
import type { PgListener } from '../db/pg-listener.ts';
import type { Logger } from '../logger.ts';
import { AuthCache, type AuthEntry } from './auth-cache.ts';
import { readCookie, SESSION_COOKIE } from './cookies.ts';
import { isUuid, safeEqual, sha256Hex } from './crypto.ts';
import { sessionKey } from './invalidation.ts';
import { LoginThrottle, type LoginThrottleOptions } from './rate-limit.ts';
import { verifySessionProof } from './session-proof.ts';
import { type Authenticator, AuthUnavailableError, type Viewer } from './viewer.ts';

/** Prefix of API tokens, so they are recognisable in logs and by secret scanners. */
export const API_TOKEN_PREFIX = 'clt_';
/** A credential found bad (revoked, unknown) is remembered this long, so a replayed one costs no query. */
const NEGATIVE_TTL_MS = 60_000;
const TOKEN_TOUCH_INTERVAL_MS = 60_000;

export interface AuthenticatorOptions {
  orm: MikroORM;
  config: Config;
  /** The process secret; session proofs are verified with a key derived from it. */
  secret: string;
  /** Shared LISTEN connection: invalidations arrive on `CHANNELS.authInvalidate`. */
  listener: PgListener;
  logger: Logger;
  /** Login throttling limits. @default 5 per username+IP and 50 per IP in 15 minutes */
  throttle?: LoginThrottleOptions;
}

export type ClawAuthenticator = Authenticator & {
  /** Unsubscribes from invalidations (the listener itself belongs to the caller). */
  stop(): void;
  /** Number of cached credentials (observability and tests). */
  readonly cacheSize: number;
};

/**
 * Session cookies and bearer API tokens → viewer. Steady state is one HMAC verification and a map
 * lookup: credentials are cached in memory and dropped when any process NOTIFYs a change (logout,
 * disable, role or password change, token revocation). Never throws: a failure means "anonymous".
 */
export function createAuthenticator(opts: AuthenticatorOptions): ClawAuthenticator {
  const cache = new AuthCache();
  const watchers = new Set<(key: string) => void>();
  const invalidate = (key: string) => {
    cache.invalidate(key);
    for (const watch of watchers) watch(key);
  };
  const offNotify = opts.listener.on(CHANNELS.authInvalidate, invalidate);
  // NOTIFYs sent while the LISTEN connection was down are lost: forget everything.
  const offReconnect = opts.listener.onReconnect(() => invalidate('*'));
  const load = (fn: (em: EntityManager) => Promise<AuthEntry>) =>
    fn(opts.orm.em.fork() as EntityManager);

  async function bySession(cookie: string): Promise<Viewer | null> {
    const proof = await verifySessionProof(opts.secret, cookie);
    if (!proof || !isUuid(proof.sessionId)) return null;
    const key = sessionKey(proof.sessionId);
    let entry = cache.get(key);
    if (!entry) {
      const epoch = cache.epoch;
      entry = await load((em) => loadSession(em, proof.sessionId));
      cache.set(key, entry, epoch);
    }
    if (!entry.viewer || !entry.secretHash || !safeEqual(entry.secretHash, sha256Hex(proof.secret)))
      return null;
    return entry.viewer;
  }

  async function byToken(token: string): Promise<Viewer | null> {
    if (!token.startsWith(API_TOKEN_PREFIX) || token.length > 100) return null;
    const key = `token:${sha256Hex(token)}`;
    let entry = cache.get(key);
    if (!entry) {
      const epoch = cache.epoch;
      entry = await load((em) => loadToken(em, sha256Hex(token)));
      cache.set(key, entry, epoch);
    }
    if (
      entry.viewer?.tokenId &&
      Date.now() - (entry.lastUsedWrite ?? 0) > TOKEN_TOUCH_INTERVAL_MS
    ) {
      entry.lastUsedWrite = Date.now();
      touchToken(opts.orm, entry.viewer.tokenId).catch((err) =>
        opts.logger.warn({ err }, 'lastUsedAt update failed'),
      );
    }
    return entry.viewer;
  }

  return {
    loginThrottle: new LoginThrottle(opts.throttle),
    async authenticate(headers, bearer) {
      try {
        const token = bearerToken(bearer ?? headers.get('authorization'));
        if (token !== null) return await byToken(token);
        const cookie = readCookie(headers.get('cookie'), SESSION_COOKIE);
        return cookie ? await bySession(cookie) : null;
      } catch (err) {
        opts.logger.error({ err }, 'authentication failed');
        throw new AuthUnavailableError();
      }
    },
    invalidate(keys) {
      for (const key of keys) invalidate(key);
    },
    onInvalidate(watch) {
      watchers.add(watch);
      return () => watchers.delete(watch);
    },
    stop() {
      offNotify();
      offReconnect();
    },
    get cacheSize() {
      return cache.size;
    },
  };
}

/** `Bearer <t>` → `<t>`; null when there is no bearer credential at all. */
function bearerToken(value: string | null | undefined): string | null {
  if (!value) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(value.trim());
  return match?.[1] ?? '';
}

function viewerOf(
  user: User,
  extra: Pick<Viewer, 'sessionId' | 'tokenId' | 'tokenScopes'>,
): Viewer {
  return {
    userId: user.id,
    username: user.username,
    role: user.role,
    mustChangePassword: user.mustChangePassword,
    ...extra,
  };
}

async function loadSession(em: EntityManager, id: string): Promise<AuthEntry> {
  const s = await em.findOne(Session, { id }, { populate: ['user'] });
  const now = Date.now();
  if (!s || s.revokedAt || s.expiresAt.getTime() <= now || s.user.status !== 'active') {
    return { viewer: null, userId: s?.user.id ?? null, validUntil: now + NEGATIVE_TTL_MS };
  }
  const viewer = viewerOf(s.user, { sessionId: s.id, tokenId: null, tokenScopes: null });
  return { viewer, userId: s.user.id, secretHash: s.secretHash, validUntil: s.expiresAt.getTime() };
}

async function loadToken(em: EntityManager, secretHash: string): Promise<AuthEntry> {
  const t = await em.findOne(ApiToken, { secretHash }, { populate: ['owner'] });
  const now = Date.now();
  if (
    !t ||
    t.revokedAt ||
    (t.expiresAt && t.expiresAt.getTime() <= now) ||
    t.owner.status !== 'active'
  ) {
    return { viewer: null, userId: t?.owner.id ?? null, validUntil: now + NEGATIVE_TTL_MS };
  }
  const viewer = viewerOf(t.owner, { sessionId: null, tokenId: t.id, tokenScopes: [...t.scopes] });
  return {
    viewer,
    userId: t.owner.id,
    validUntil: t.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY,
    lastUsedWrite: t.lastUsedAt?.getTime() ?? 0,
  };
}

async function touchToken(orm: MikroORM, id: string): Promise<void> {
  await orm.em.fork().nativeUpdate(ApiToken, { id }, { lastUsedAt: new Date() });
}
