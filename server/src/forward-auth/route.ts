import type { Route } from '../app.ts';
import type { ProxyTrust } from '../http/proxy-trust.ts';
import { runtimeBoundCredentials } from '../http/runtime-bound-credentials.ts';
import { forwardedFacts } from './facts.ts';
import type { Gate } from './gate.ts';
import { sendDecision } from './respond.ts';

/** The ForwardAuth address path. Reserved on every host (it is matched before the edge). */
export const FORWARD_AUTH_PATH = '/auth/forward';

/**
 * `GET /auth/forward` for Traefik `forwardAuth` / Caddy `forward_auth`: 2xx + identity headers lets
 * the proxy continue; any other answer goes to the client as-is. Any method is accepted (the proxy's
 * own query string is ignored: Caddy appends the client's); the original request is in X-Forwarded-*.
 *
 * An allow into a runtime also answers the `Cookie` and `Authorization` the runtime may see, without
 * ClawLoops' own credentials, which the proxies copy over the client's. Both are always sent, empty
 * when nothing may go on: Caddy 2.6 `copy_headers` would otherwise set its literal placeholder.
 */
export function forwardAuthRoute(gate: Gate, trust: ProxyTrust): Route {
  return async (req, res) => {
    const path = req.url?.split('?', 1)[0];
    if (path !== FORWARD_AUTH_PATH) return false;
    const { decision } = await gate.evaluate(forwardedFacts(req, trust));
    const toRuntime = decision.allow && decision.reason !== 'app-host';
    const answer = toRuntime
      ? {
          ...decision,
          headers: {
            ...decision.headers,
            cookie: '',
            authorization: '',
            ...runtimeBoundCredentials(req.headers),
          },
        }
      : decision;
    sendDecision(res, answer, gate.config.publicOrigin);
    return true;
  };
}
