import type { IncomingHttpHeaders } from 'node:http';
import { API_TOKEN_PREFIX } from '../auth/authenticator.ts';
import { SESSION_COOKIE } from '../auth/cookies.ts';

/** What of a client's `Cookie` and `Authorization` may reach a runtime (absent = nothing). */
export interface RuntimeBoundCredentials {
  cookie?: string;
  authorization?: string;
}

/**
 * ClawLoops' own credentials — the session cookie and `clt_` API tokens — never reach a runtime, whose
 * agents run arbitrary code: a prompt-injected agent must not be able to act as its owner on the
 * control plane. Everything else the client sends for the runtime itself goes on. Used by the embedded
 * edge and, through ForwardAuth's copied response headers, by Traefik and Caddy.
 */
export function runtimeBoundCredentials(headers: IncomingHttpHeaders): RuntimeBoundCredentials {
  const out: RuntimeBoundCredentials = {};
  const kept = (headers.cookie ?? '')
    .split(';')
    .map((c) => c.trim())
    .filter((c) => c && !c.startsWith(`${SESSION_COOKIE}=`));
  if (kept.length) out.cookie = kept.join('; ');
  const auth = headers.authorization;
  if (auth && !isApiToken(auth)) out.authorization = auth;
  return out;
}

function isApiToken(authorization: string): boolean {
  return /^bearer\s+/i.test(authorization) && authorization.includes(API_TOKEN_PREFIX);
}
