import type { ServerResponse } from 'node:http';
import { decodeJwt } from 'jose';
import type { Route } from '../app.ts';
import { readCookie, SESSION_COOKIE, sessionCookie } from '../auth/cookies.ts';
import type { HandoffStore } from '../auth/runtime-handoff-store.ts';
import { type OpenedHandoff, openHandoff, sealHandoff } from '../auth/runtime-handoff-token.ts';
import type { Authenticator } from '../auth/viewer.ts';
import { directFacts, type RequestFacts } from '../forward-auth/facts.ts';
import type { Gate } from '../forward-auth/gate.ts';
import { decideRedeem } from '../forward-auth/handoff-redeem.ts';
import { wantsHtml } from '../forward-auth/hints.ts';
import { classifyHost } from '../forward-auth/host.ts';
import { renderDenial } from '../forward-auth/respond.ts';
import {
  canonicalRuntimeHost,
  decideRuntimeLogin,
  HANDOFF_PATH,
  handoffUrl,
  RESERVED_PREFIX,
  RUNTIME_LOGIN_PATH,
  runtimeLoginTarget,
} from '../forward-auth/runtime-login.ts';
import type { Deny, DenyStatus, EntranceViewer, RuntimeRoute } from '../forward-auth/types.ts';
import type { ProxyTrust } from '../http/proxy-trust.ts';
import type { Logger } from '../logger.ts';

export interface HandoffDeps {
  gate: Gate;
  trust: ProxyTrust;
  authenticator: Pick<Authenticator, 'authenticate'>;
  routing: { lookup(label: string): Promise<RuntimeRoute | null> };
  store: Pick<HandoffStore, 'claim'>;
  /** The process secret (tokens are sealed with a key derived from it). */
  secret: string;
  logger: Pick<Logger, 'error'>;
}

// The token rides in a URL: keep it out of Referer headers and caches.
const PRIVATE = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' };

/**
 * The login hand-off's two endpoints (see forward-auth/runtime-login.ts): `GET /auth/runtime-login`
 * on the app host and `GET /__clawloops/session` on runtime hosts. Mounted before the embedded edge,
 * so `/__clawloops/*` on a runtime host never reaches a runtime. Both only read a session cookie and
 * write one: the authenticator stays the single judge of a session (logout, disable and revocation
 * reach the runtime host's copy through the same cache and NOTIFY).
 */
export function handoffRoutes(deps: HandoffDeps): Route[] {
  const { config } = deps.gate;
  const scheme = new URL(config.publicOrigin).protocol;

  const asViewer = (proof: string): Promise<EntranceViewer | null> =>
    deps.authenticator.authenticate(new Headers({ cookie: `${SESSION_COOKIE}=${proof}` }));

  const runtimeLogin: Route = async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== RUNTIME_LOGIN_PATH) return false;
    const facts = directFacts(req, deps.trust);
    // On a runtime host this path is the runtime's (behind the gate), not ours.
    if (classifyHost(facts.host, config).kind !== 'app') return false;
    const target = runtimeLoginTarget(url.searchParams, config);
    const proof = readCookie(facts.cookie ?? null, SESSION_COOKIE);
    const viewer = proof ? await asViewer(proof) : null;
    const runtime = viewer && target ? await deps.routing.lookup(target.label) : null;
    const outcome = decideRuntimeLogin({ method: facts.method, target, viewer, runtime, config });
    if (outcome.kind === 'login') return redirect(res, outcome.location);
    if (outcome.kind === 'deny') {
      const d = denial(facts, outcome.status, outcome.reason, outcome.message, !!viewer);
      return deny(res, d, facts, viewer, target?.host);
    }
    const token = await sealHandoff(deps.secret, {
      audience: outcome.target.host,
      sessionId: outcome.sessionId,
      proof: proof as string,
      returnPath: outcome.target.returnPath,
    });
    return redirect(res, handoffUrl(config, outcome.target, token));
  };

  const redeem: Route = async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (!url.pathname.startsWith(RESERVED_PREFIX)) return false;
    const facts = directFacts(req, deps.trust);
    const kind = classifyHost(facts.host, config).kind;
    if (kind !== 'runtime' && kind !== 'unknown') return false;
    if (url.pathname !== HANDOFF_PATH)
      return deny(res, denial(facts, 404, 'not_found', 'No such page.', false), facts, null);
    const host = canonicalRuntimeHost(facts.host, config);
    const token = url.searchParams.get('token');
    let opened: OpenedHandoff | null = null;
    if (token) opened = host ? await openHandoff(deps.secret, token, host) : wrongHost;
    let firstUse = false;
    let live: EntranceViewer | null = null;
    try {
      if (opened?.ok) firstUse = await deps.store.claim(opened.claims.jti, opened.claims.expiresAt);
      if (opened?.ok && firstUse) live = await asViewer(opened.claims.proof);
    } catch (err) {
      deps.logger.error({ err }, 'runtime login hand-off failed');
      const d = denial(facts, 503, 'entrance_unavailable', 'Sign-in is unavailable; retry.', false);
      return deny(res, d, facts, null);
    }
    const outcome = decideRedeem({
      method: facts.method,
      opened,
      queryReturn: url.searchParams.get('return'),
      firstUse,
      liveSessionId: live?.sessionId ?? null,
    });
    if (outcome.kind === 'deny') {
      const d = denial(facts, outcome.status, outcome.reason, outcome.message, outcome.audit);
      d.body.retryUrl = outcome.retry;
      return deny(res, d, facts, live, facts.host);
    }
    const exp = decodeJwt(outcome.proof).exp ?? Date.now() / 1000 + 3600;
    // Host-only (no Domain): this runtime host alone; Secure whenever the runtime is served over TLS.
    const cookie = sessionCookie(outcome.proof, new Date(exp * 1000), {
      secure: scheme === 'https:',
    });
    return redirect(res, outcome.location, { 'set-cookie': cookie });
  };

  function deny(
    res: ServerResponse,
    d: Deny,
    facts: RequestFacts,
    viewer: EntranceViewer | null,
    host = facts.host,
  ): true {
    deps.gate.outcomes.record(d, { viewer, ip: facts.ip }, host);
    const { headers, body } = renderDenial(d, config.publicOrigin);
    res.writeHead(d.status, { ...headers, ...PRIVATE });
    res.end(body);
    return true;
  }

  return [runtimeLogin, redeem];
}

const wrongHost: OpenedHandoff = { ok: false, reason: 'wrong_audience' };

function denial(
  facts: RequestFacts,
  status: DenyStatus,
  reason: string,
  message: string,
  audit: boolean,
): Deny {
  return {
    allow: false,
    status,
    reason,
    body: { code: reason, message },
    html: wantsHtml(facts.hints),
    audit,
  };
}

function redirect(res: ServerResponse, location: string, extra: Record<string, string> = {}): true {
  res.writeHead(302, { location, 'content-length': '0', ...PRIVATE, ...extra });
  res.end();
  return true;
}
