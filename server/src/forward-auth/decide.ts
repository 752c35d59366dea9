import { userHostLabel } from '../../../schema/domain/slugs.ts';
import { type LoginHints, wantsHtml } from './hints.ts';
import { classifyHost, type HostPolicy } from './host.ts';
import { runtimeLoginUrl } from './runtime-login.ts';
import { safePath } from './safe-path.ts';
import {
  type Decision,
  type Deny,
  type DenyStatus,
  type EntranceViewer,
  IDENTITY_HEADERS,
  type IdentityHeaders,
  type RuntimeRoute,
} from './types.ts';

export interface DecideConfig extends HostPolicy {
  /** Origin of the app; the SPA's login page is `<publicOrigin>/login`. */
  publicOrigin: string;
  /** Admins may open other users' runtimes (audited). @default false */
  adminAccess?: boolean;
}

export interface DecideInput {
  viewer: EntranceViewer | null;
  /** The request came from a configured proxy, or is the embedded edge's own request. */
  trustedSource: boolean;
  forwardedHost: string | undefined;
  forwardedUri: string | undefined;
  forwardedMethod: string | undefined;
  forwardedProto: string | undefined;
  hints: LoginHints;
  /** Lookup result for the host's label (`null`: no runtime, or the host names no runtime). */
  runtime: RuntimeRoute | null;
  config: DecideConfig;
}

const METHOD = /^[A-Z]{1,16}$/;
const EMPTY: IdentityHeaders = {
  [IDENTITY_HEADERS.user]: '',
  [IDENTITY_HEADERS.userId]: '',
  [IDENTITY_HEADERS.runtimeId]: '',
};

/**
 * The entrance's whole policy, pure: no I/O, total over garbage input. Used by `GET /auth/forward`
 * (Traefik/Caddy) and by the embedded edge alike. Anonymous requests learn nothing about which
 * runtimes exist; a signed-in user learns only about their own label.
 */
export function decide(input: DecideInput): Decision {
  const { config } = input;
  const html = wantsHtml(input.hints);
  const deny = (status: DenyStatus, reason: string, message: string, audit = false): Deny => ({
    allow: false,
    status,
    reason,
    body: { code: reason, message },
    html,
    audit,
  });
  if (!input.trustedSource)
    return deny(
      403,
      'untrusted_proxy',
      'Forwarded headers are accepted only from configured proxies (TRUSTED_PROXIES).',
      true,
    );
  const method = input.forwardedMethod ?? 'GET';
  if (!METHOD.test(method))
    return deny(400, 'bad_method', 'X-Forwarded-Method is not an HTTP method.');
  const proto = input.forwardedProto ?? 'http';
  if (proto !== 'http' && proto !== 'https')
    return deny(400, 'bad_proto', 'X-Forwarded-Proto must be http or https.');
  const target = classifyHost(input.forwardedHost, config);
  if (target.kind === 'invalid') return deny(400, 'bad_host', `Bad forwarded host: ${target.why}.`);
  if (target.kind === 'foreign') return deny(403, 'foreign_host', 'This host is not served here.');
  if (target.kind === 'unknown') return deny(404, 'unknown_host', `No such host (${target.why}).`);
  if (target.kind === 'app')
    return { allow: true, status: 200, headers: { ...EMPTY }, reason: 'app-host', audit: false };
  if (!input.viewer) return anonymous(input, target.host, html);
  return forViewer(input, input.viewer, target.label, deny);
}

/** A signed-in viewer on a runtime host: account state, token scope, ownership, phase. */
function forViewer(
  input: DecideInput,
  viewer: EntranceViewer,
  label: string,
  deny: (status: DenyStatus, reason: string, message: string, audit?: boolean) => Deny,
): Decision {
  const { config, runtime } = input;
  if (viewer.disabled) return deny(403, 'user_disabled', 'This account is disabled.', true);
  if (viewer.mustChangePassword)
    return deny(
      403,
      'must_change_password',
      `Change your password first: ${config.publicOrigin}/`,
      true,
    );
  if (viewer.tokenScopes && !viewer.tokenScopes.includes('runtime:write'))
    return deny(403, 'token_scope', 'This API token lacks the runtime:write scope.', true);
  if (!runtime) {
    return label === userHostLabel(viewer.username)
      ? deny(404, 'no_runtime', `You have no runtime yet; create one at ${config.publicOrigin}/`)
      : deny(403, 'not_owner', 'This runtime belongs to another user.', true);
  }
  const isOwner = runtime.ownerId === viewer.userId;
  const asAdmin = !isOwner && viewer.role === 'admin' && config.adminAccess === true;
  if (!isOwner && !asAdmin)
    return deny(403, 'not_owner', 'This runtime belongs to another user.', true);
  if (runtime.phase !== 'Running' || !runtime.endpoint) {
    const d = deny(503, 'not_running', `The runtime is not running (${runtime.phase}).`);
    return { ...d, body: { ...d.body, phase: runtime.phase } };
  }
  return {
    allow: true,
    status: 200,
    headers: {
      [IDENTITY_HEADERS.user]: runtime.ownerUsername,
      [IDENTITY_HEADERS.userId]: runtime.ownerId,
      [IDENTITY_HEADERS.runtimeId]: runtime.runtimeId,
    },
    reason: isOwner ? 'owner' : 'admin-access',
    audit: asAdmin,
  };
}

/**
 * Browser navigations go to the app's login hand-off (302 for GET/HEAD, 303 otherwise), which signs
 * this runtime host in with the app-host session, or has the user log in first; the rest get 401.
 */
function anonymous(input: DecideInput, host: string, html: boolean): Deny {
  const loginUrl = runtimeLoginUrl(input.config.publicOrigin, host, safePath(input.forwardedUri));
  const body = { code: 'unauthenticated', message: 'Sign in first.', loginUrl };
  if (!html)
    return { allow: false, status: 401, reason: 'unauthenticated', body, html, audit: false };
  const method = input.forwardedMethod ?? 'GET';
  const status = method === 'GET' || method === 'HEAD' ? 302 : 303;
  return {
    allow: false,
    status,
    reason: 'unauthenticated',
    body,
    location: loginUrl,
    html,
    audit: false,
  };
}
