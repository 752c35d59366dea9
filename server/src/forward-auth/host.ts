import { isUserHostLabel } from '../../../schema/domain/slugs.ts';

/** Which hosts the entrance serves. Hostnames are lowercase, without port or trailing dot. */
export interface HostPolicy {
  /** Hostnames of the SPA/API (PUBLIC_URL's host). Anyone may load these. */
  appHosts: string[];
  /** Runtime hosts are exactly `<u-label>.<runtimeDomain>`, e.g. `localhost` or `claw.example.com`. */
  runtimeDomain: string;
}

/** What a (forwarded) Host header addresses. */
export type HostTarget =
  | { kind: 'app'; host: string }
  | { kind: 'runtime'; label: string; host: string }
  /** Syntactically fine and under our runtime domain, but nothing is served there. */
  | { kind: 'unknown'; host: string; why: string }
  /** Not ours at all (`u-x.example.com.evil.com`, an IP literal…). */
  | { kind: 'foreign'; host: string }
  | { kind: 'invalid'; why: string };

/** RFC 1035 allows 253 characters; plus `:65535`. Anything longer is garbage, not a host. */
const MAX_HOST_LENGTH = 253 + 6;
const NAME = /^[a-z0-9.-]+$/;
const IPV6 = /^\[[0-9a-f:.]+\]$/;
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Classifies a Host / X-Forwarded-Host value. Pure and total: never throws, whatever the input.
 *
 * Hosts are case-insensitive (DNS), so the value is lowercased: `U-Alice.Example.com` addresses the
 * same runtime as `u-alice.example.com` — labels are lowercase by construction, so case can never
 * reach a different user's runtime. The port is accepted and ignored for routing (the proxy that
 * received it decided it was ours). A trailing dot is refused: `u-x.example.com.` is another origin
 * to browsers (cookies, allowed origins), so serving it would only create confusion.
 */
export function classifyHost(raw: string | undefined, policy: HostPolicy): HostTarget {
  if (raw === undefined || raw === '') return { kind: 'invalid', why: 'no host' };
  if (raw.length > MAX_HOST_LENGTH) return { kind: 'invalid', why: 'host too long' };
  const value = raw.trim().toLowerCase();
  const split = splitPort(value);
  if (!split) return { kind: 'invalid', why: 'malformed port' };
  const { hostname } = split;
  if (IPV6.test(hostname)) return { kind: 'foreign', host: value };
  if (!NAME.test(hostname)) return { kind: 'invalid', why: 'illegal characters in host' };
  if (hostname.endsWith('.')) return { kind: 'unknown', host: value, why: 'trailing dot' };
  if (!hostname.split('.').every((l) => LABEL.test(l)))
    return { kind: 'invalid', why: 'malformed host label' };
  if (policy.appHosts.includes(hostname)) return { kind: 'app', host: value };
  const suffix = `.${policy.runtimeDomain}`;
  if (!hostname.endsWith(suffix)) return { kind: 'foreign', host: value };
  const label = hostname.slice(0, -suffix.length);
  if (label.includes('.')) return { kind: 'unknown', host: value, why: 'nested subdomain' };
  if (!isUserHostLabel(label)) return { kind: 'unknown', host: value, why: 'not a runtime label' };
  return { kind: 'runtime', label, host: value };
}

function splitPort(value: string): { hostname: string; port: number | null } | null {
  const close = value.lastIndexOf(']');
  const colon = value.lastIndexOf(':');
  if (colon === -1 || colon < close) return { hostname: value, port: null };
  const port = value.slice(colon + 1);
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) return null;
  const hostname = value.slice(0, colon);
  // An unbracketed IPv6 literal (`::1`) would split at its last colon: not a name we serve anyway.
  return hostname.includes(':') && !hostname.startsWith('[')
    ? null
    : { hostname, port: Number(port) };
}

/** Lowercase host without leading/trailing dots, for building a `HostPolicy` from configuration. */
export function normalizeDomain(domain: string): string {
  return domain
    .trim()
    .toLowerCase()
    .replace(/^\.+|\.+$/g, '');
}
