import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { IDENTITY_HEADER } from '../../../schema/domain/identity.ts';
import type { IdentityHeaders } from '../forward-auth/types.ts';
import { unmap } from '../http/proxy-trust.ts';
import { runtimeBoundCredentials } from '../http/runtime-bound-credentials.ts';

/**
 * Client attribution for a browser on the server's own host (the `npm start` case: browser and
 * server both on 127.0.0.1). OpenClaw's trusted-proxy mode walks `X-Forwarded-For` from the right,
 * skipping loopback hops and trusted proxies, and refuses the request (403
 * `proxy_attribution_required`) when no non-loopback client remains — so the true address cannot be
 * sent. `100::1` is from RFC 6666's discard-only prefix `100::/64`: not loopback, not private (no
 * LAN-trust path in the gateway, e.g. node-pairing SSH probes, applies), never routable, and never
 * one of the host's own interface addresses. It means "a same-host client, via the embedded edge".
 * Any other client keeps its real address.
 */
export const LOCAL_CLIENT_ATTRIBUTION = '100::1';

export interface UpstreamFacts {
  /** Identity headers from the decision (all of them, names lowercase). */
  identity: IdentityHeaders;
  /** The identity header the gateway reads (the renderer's `identityHeader`). */
  identityHeader: string;
  proto: string;
  host: string;
  /** The client as the edge established it (trusted-proxy aware); null if unknown. */
  clientIp: string | null;
}

/**
 * The request headers a runtime receives from the embedded edge. Everything a client could use to
 * speak for the entrance is removed first — identity headers, any `X-Forwarded-*`, `Forwarded`,
 * `X-Real-IP` — then set from the decision. ClawLoops' own credentials (the session cookie, `clt_`
 * API tokens) never reach the runtime, whose agents can run arbitrary code.
 */
export function upstreamHeaders(
  incoming: IncomingHttpHeaders,
  f: UpstreamFacts,
): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  const identityHeader = f.identityHeader.toLowerCase();
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || isClientClaim(name, identityHeader)) continue;
    out[name] = value;
  }
  delete out.cookie;
  delete out.authorization;
  Object.assign(out, runtimeBoundCredentials(incoming));
  Object.assign(out, f.identity);
  out[identityHeader] = f.identity[IDENTITY_HEADER];
  out['x-forwarded-proto'] = f.proto;
  out['x-forwarded-host'] = f.host;
  out['x-forwarded-for'] = attribution(f.clientIp);
  return out;
}

function isClientClaim(name: string, identityHeader: string): boolean {
  return (
    name === identityHeader ||
    name.startsWith('x-clawloops-') ||
    name.startsWith('x-forwarded-') ||
    name === 'forwarded' ||
    name === 'x-real-ip'
  );
}

/** The client address to give the gateway: the real one unless it is loopback/unknown. */
export function attribution(clientIp: string | null): string {
  if (!clientIp) return LOCAL_CLIENT_ATTRIBUTION;
  const ip = unmap(clientIp);
  if (!isIP(ip) || isLoopbackOrUnspecified(ip)) return LOCAL_CLIENT_ATTRIBUTION;
  return ip;
}

function isLoopbackOrUnspecified(ip: string): boolean {
  return ip.startsWith('127.') || ip === '0.0.0.0' || ip === '::1' || ip === '::';
}
