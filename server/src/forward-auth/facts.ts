import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { type ProxyTrust, unmap } from '../http/proxy-trust.ts';
import type { LoginHints } from './hints.ts';

/** Everything the entrance reads from a request, already reduced to strings. */
export interface RequestFacts {
  trustedSource: boolean;
  host: string | undefined;
  uri: string | undefined;
  method: string | undefined;
  proto: string | undefined;
  hints: LoginHints;
  cookie: string | undefined;
  authorization: string | undefined;
  /** The client, for audit rows: the forwarded client when the peer is a trusted proxy. */
  ip: string | null;
}

/** One header as a string; repeated headers are joined (and so fail validation downstream). */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

function hints(h: IncomingHttpHeaders): LoginHints {
  return {
    accept: header(h, 'accept'),
    requestedWith: header(h, 'x-requested-with'),
    upgrade: header(h, 'upgrade'),
    secFetchMode: header(h, 'sec-fetch-mode'),
  };
}

/** Facts of a ForwardAuth call (Traefik/Caddy): the original request is in `X-Forwarded-*`. */
export function forwardedFacts(req: IncomingMessage, trust: ProxyTrust): RequestFacts {
  const h = req.headers;
  const peer = req.socket.remoteAddress ? unmap(req.socket.remoteAddress) : null;
  const trusted = trust.trusts(peer);
  return {
    trustedSource: trusted,
    host: header(h, 'x-forwarded-host'),
    uri: header(h, 'x-forwarded-uri'),
    method: header(h, 'x-forwarded-method')?.toUpperCase(),
    proto: header(h, 'x-forwarded-proto')?.toLowerCase(),
    hints: hints(h),
    cookie: header(h, 'cookie'),
    authorization: header(h, 'authorization'),
    ip: (trusted && firstForwardedFor(h)) || peer,
  };
}

/**
 * Facts of a request the embedded edge receives itself: Host, path and method are the request's
 * own. Forwarded proto/client are believed only from a trusted proxy in front of the server.
 */
export function directFacts(req: IncomingMessage, trust: ProxyTrust): RequestFacts {
  const h = req.headers;
  const peer = req.socket.remoteAddress ? unmap(req.socket.remoteAddress) : null;
  const trusted = trust.trusts(peer);
  const proto = trusted ? header(h, 'x-forwarded-proto')?.toLowerCase() : undefined;
  return {
    trustedSource: true,
    host: header(h, 'host'),
    uri: req.url,
    method: req.method,
    proto: proto ?? ((req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http'),
    hints: hints(h),
    cookie: header(h, 'cookie'),
    authorization: header(h, 'authorization'),
    ip: (trusted && firstForwardedFor(h)) || peer,
  };
}

function firstForwardedFor(h: IncomingHttpHeaders): string | null {
  const first = header(h, 'x-forwarded-for')?.split(',')[0]?.trim();
  return first && isIP(unmap(first)) ? unmap(first) : null;
}
