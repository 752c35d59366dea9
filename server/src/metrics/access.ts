import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { clientIp, type ProxyTrust, unmap } from '../http/proxy-trust.ts';

export interface MetricsAccessOptions {
  /**
   * `METRICS_TOKEN`. Set: `/metrics` requires `Authorization: Bearer <token>` from anyone, wherever
   * they connect from. Unset: only loopback callers and trusted proxies themselves (TRUSTED_PROXIES)
   * may scrape — a request a trusted proxy forwards for a remote client is judged by that client's
   * address, so the public entrance never exposes metrics.
   */
  token?: string;
  trust: ProxyTrust;
}

export type MetricsAccess = 'ok' | 'unauthorized' | 'forbidden';

export function isLoopback(ip: string | null): boolean {
  if (!ip) return false;
  const a = unmap(ip);
  return a === '::1' || (isIP(a) === 4 && a.startsWith('127.'));
}

/** Decides whether this request may read metrics (see MetricsAccessOptions for the rule). */
export function metricsAccess(req: IncomingMessage, o: MetricsAccessOptions): MetricsAccess {
  if (o.token) {
    const header = req.headers.authorization ?? '';
    const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
    const want = Buffer.from(o.token);
    return given.length === want.length && timingSafeEqual(given, want) ? 'ok' : 'unauthorized';
  }
  const ip = clientIp(req, o.trust);
  return isLoopback(ip) || o.trust.trusts(ip) ? 'ok' : 'forbidden';
}
