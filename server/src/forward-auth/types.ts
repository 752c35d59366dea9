import type { RuntimePhase, UserRole } from '../../../schema/domain/enums.ts';
import { IDENTITY_HEADER } from '../../../schema/domain/identity.ts';

/**
 * Identity headers on an allowed request. The proxy must copy exactly these onto the upstream
 * request (Traefik `authResponseHeaders`, Caddy `copy_headers`), which replaces anything a client
 * sent under the same names. Every one is ALWAYS present, possibly empty: Caddy 2.6 forwards the
 * literal `{http.reverse_proxy.header.X}` placeholder for a missing one.
 *
 * They describe the identity the runtime serves: its owner (whom the gateway's `allowUsers`
 * admits). For an admin's audited access to someone else's runtime they still name the owner; the
 * acting admin is in the audit log.
 */
export const IDENTITY_HEADERS = {
  user: IDENTITY_HEADER,
  userId: 'x-clawloops-user-id',
  runtimeId: 'x-clawloops-runtime-id',
} as const;

export type IdentityHeaders = Record<
  (typeof IDENTITY_HEADERS)[keyof typeof IDENTITY_HEADERS],
  string
>;

/** The viewer facts a decision needs (a `Viewer` satisfies it). */
export interface EntranceViewer {
  userId: string;
  username: string;
  role: UserRole;
  mustChangePassword: boolean;
  /** API token scopes; `null` for a session (every scope). */
  tokenScopes: readonly string[] | null;
  /** The session behind the request, if any: the edge cuts its WebSockets when it is revoked. */
  sessionId?: string | null;
  /** Disabled users normally never authenticate; this guards a stale cache all the same. */
  disabled?: boolean;
}

/** What the routing cache knows about the runtime a host label addresses. */
export interface RuntimeRoute {
  runtimeId: string;
  ownerId: string;
  ownerUsername: string;
  phase: RuntimePhase;
  /** Where the gateway listens (local driver: loopback URL); null until Ready. */
  endpoint: string | null;
}

export type DenyStatus = 302 | 303 | 400 | 401 | 403 | 404 | 405 | 503;

export interface DenyBody {
  code: string;
  message: string;
  loginUrl?: string;
  /** Where to try again (a page's link); defaults to the app. */
  retryUrl?: string;
  phase?: RuntimePhase;
}

export type Decision = Allow | Deny;

export interface Allow {
  allow: true;
  status: 200;
  headers: IdentityHeaders;
  reason: 'owner' | 'admin-access' | 'app-host';
  /** Worth an audit row (admin opening someone else's runtime). */
  audit: boolean;
}

export interface Deny {
  allow: false;
  status: DenyStatus;
  reason: string;
  body: DenyBody;
  location?: string;
  /** Render an HTML page (browser navigation) rather than JSON. */
  html: boolean;
  /** Worth an audit row (signed-in users, untrusted proxies). */
  audit: boolean;
}
