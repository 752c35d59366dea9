import type { ApiTokenScope, UserRole } from '../../../schema/domain/enums.ts';
import type { LoginThrottle } from './rate-limit.ts';

/** Who is making a request, as established by a session cookie or an API token. */
export interface Viewer {
  userId: string;
  username: string;
  role: UserRole;
  mustChangePassword: boolean;
  /** Set when authenticated by a session cookie. */
  sessionId: string | null;
  /** Set when authenticated by an API token: the token may do only this. `null` = every scope. */
  tokenScopes: ApiTokenScope[] | null;
  tokenId: string | null;
}

/**
 * The credential could not be checked (the database is unreachable): neither a viewer nor anonymous.
 * Treating it as anonymous signed everyone out during a PostgreSQL restart (found by the chaos
 * suite); callers answer "unavailable, retry" instead (GraphQL `SERVICE_UNAVAILABLE`/503, the
 * entrance 503).
 */
export class AuthUnavailableError extends Error {
  readonly code = 'SERVICE_UNAVAILABLE';
  constructor() {
    super('Your sign-in cannot be checked right now; retry in a moment.');
  }
}

/**
 * Establishes the viewer of a request. Implemented in auth/authenticator.ts; throws only
 * AuthUnavailableError.
 */
export interface Authenticator {
  /**
   * @param headers request headers (cookie / authorization), from HTTP or the WebSocket upgrade
   * @param bearer an explicit token (graphql-ws `connectionParams.authorization`), if any
   */
  authenticate(headers: Headers, bearer?: string | null): Promise<Viewer | null>;
  /**
   * Drops cached credentials in this process now. Call after the transaction that revoked them has
   * committed; other processes learn the same keys through NOTIFY (`notifyAuthChange`).
   * @param keys `session:<id>` or `user:<id>`
   */
  invalidate(keys: string[]): void;
  /**
   * Calls `listener` with every invalidation this process applies (its own, other processes' via
   * NOTIFY, and `*` after a lost LISTEN connection), once the cache has dropped the key: an
   * `authenticate` from the listener sees the credential as it is now. Returns the unsubscribe.
   */
  onInvalidate(listener: (key: string) => void): () => void;
  /** Failed-login brake shared by every login-like mutation in this process. */
  readonly loginThrottle: LoginThrottle;
}
