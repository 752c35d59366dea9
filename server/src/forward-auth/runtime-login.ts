import { userHostLabel } from '../../../schema/domain/slugs.ts';
import type { DecideConfig } from './decide.ts';
import { classifyHost } from './host.ts';
import { safePath } from './safe-path.ts';
import type { EntranceViewer, RuntimeRoute } from './types.ts';

/**
 * The login hand-off between the app host and runtime hosts, for browsers whose app-host session
 * cookie does not reach the runtime host (no COOKIE_DOMAIN, `localhost`, or a runtime domain outside
 * the cookie's domain) — JupyterHub's per-server OAuth, reduced to one signed redirect:
 *
 * 1. runtime host, anonymous navigation → 302 `<app>/auth/runtime-login?host=<runtime host>&return=<path>`
 * 2. app host, signed in and allowed there → 302 `<scheme>://<runtime host>/__clawloops/session?token=…`
 *    (not signed in → `/login?return=<step 2's own URL>`, which brings the browser back to step 2)
 * 3. runtime host redeems the token once → host-only session cookie → 302 `<path>`
 */
export const RUNTIME_LOGIN_PATH = '/auth/runtime-login';
/** Paths under this prefix on runtime hosts belong to ClawLoops, never to the runtime. */
export const RESERVED_PREFIX = '/__clawloops/';
export const HANDOFF_PATH = `${RESERVED_PREFIX}session`;

/** Where an anonymous browser on a runtime host is sent (decide()'s login redirect). */
export function runtimeLoginUrl(publicOrigin: string, host: string, returnPath: string): string {
  return `${publicOrigin}${runtimeLoginPath(host, returnPath)}`;
}

function runtimeLoginPath(host: string, returnPath: string): string {
  return `${RUNTIME_LOGIN_PATH}?host=${encodeURIComponent(host)}&return=${encodeURIComponent(returnPath)}`;
}

/**
 * A runtime host as the browser addresses it, with the port only when it is not the scheme's default
 * (`Host` headers omit default ports). Runtime hosts are served on the app's port: any other port on
 * a `u-` name may be someone else's listener (a gateway's own loopback port under `*.localhost`), so a
 * token must never be sent there. Null: not a runtime host of this deployment.
 */
export function canonicalRuntimeHost(
  raw: string | undefined | null,
  config: DecideConfig,
): string | null {
  const target = classifyHost(raw ?? undefined, config);
  if (target.kind !== 'runtime') return null;
  const app = new URL(config.publicOrigin);
  const fallback = app.protocol === 'https:' ? '443' : '80';
  const colon = target.host.lastIndexOf(':');
  const hostname = colon === -1 ? target.host : target.host.slice(0, colon);
  const port = colon === -1 ? fallback : target.host.slice(colon + 1);
  if (port !== (app.port || fallback)) return null;
  return port === fallback ? hostname : `${hostname}:${port}`;
}

export interface RuntimeLoginTarget {
  /** Canonical runtime host: the token's audience. */
  host: string;
  label: string;
  returnPath: string;
}

/** Parses `?host=&return=`: a runtime host of this deployment, and a path (anything else → `/`). */
export function runtimeLoginTarget(
  query: URLSearchParams,
  config: DecideConfig,
): RuntimeLoginTarget | null {
  const host = canonicalRuntimeHost(query.get('host'), config);
  if (!host) return null;
  const label = host.split('.', 1)[0] as string;
  return { host, label, returnPath: safePath(query.get('return') ?? undefined) };
}

export type RuntimeLoginOutcome =
  | { kind: 'login'; location: string }
  | { kind: 'mint'; target: RuntimeLoginTarget; sessionId: string }
  | { kind: 'deny'; status: 400 | 403 | 405; reason: string; message: string };

export interface RuntimeLoginInput {
  method: string | undefined;
  target: RuntimeLoginTarget | null;
  /** The viewer of the app-host session cookie (API tokens do not count: a browser is handed off). */
  viewer: EntranceViewer | null;
  /** The runtime the target's label addresses (looked up only for a signed-in viewer). */
  runtime: RuntimeRoute | null;
  config: DecideConfig;
}

/**
 * `GET /auth/runtime-login`, pure. Mints only for a session viewer who may use that runtime host —
 * its owner (also before the runtime exists: the host then explains), or an admin when
 * ADMIN_RUNTIME_ACCESS — so a token never exists for a host its bearer would be refused on anyway.
 */
export function decideRuntimeLogin(input: RuntimeLoginInput): RuntimeLoginOutcome {
  const { target, viewer, runtime, config } = input;
  const deny = (status: 400 | 403 | 405, reason: string, message: string): RuntimeLoginOutcome => ({
    kind: 'deny',
    status,
    reason,
    message,
  });
  if (input.method !== 'GET' && input.method !== 'HEAD')
    return deny(405, 'bad_method', 'Open this address in a browser.');
  if (!target) return deny(400, 'bad_host', 'That is not a runtime address of this ClawLoops.');
  if (!viewer?.sessionId) {
    const back = runtimeLoginPath(target.host, target.returnPath);
    return {
      kind: 'login',
      location: `${config.publicOrigin}/login?return=${encodeURIComponent(back)}`,
    };
  }
  if (viewer.disabled) return deny(403, 'user_disabled', 'This account is disabled.');
  if (viewer.mustChangePassword)
    return deny(403, 'must_change_password', `Change your password first: ${config.publicOrigin}/`);
  const isOwner = runtime
    ? runtime.ownerId === viewer.userId
    : target.label === userHostLabel(viewer.username);
  const asAdmin = !isOwner && !!runtime && viewer.role === 'admin' && config.adminAccess === true;
  if (!isOwner && !asAdmin) return deny(403, 'not_owner', 'This runtime belongs to another user.');
  return { kind: 'mint', target, sessionId: viewer.sessionId };
}

/** Step 3's address on the runtime host; the scheme is the app's (never downgraded by a client). */
export function handoffUrl(
  config: DecideConfig,
  target: RuntimeLoginTarget,
  token: string,
): string {
  const scheme = new URL(config.publicOrigin).protocol;
  return `${scheme}//${target.host}${HANDOFF_PATH}?token=${encodeURIComponent(token)}&return=${encodeURIComponent(target.returnPath)}`;
}
