import type { IncomingMessage } from 'node:http';

/**
 * The client's address. `X-Forwarded-For` is believed only when the direct peer is a configured proxy;
 * otherwise anyone could claim any address (and dodge rate limits or forge audit IPs).
 */
export function clientIp(req: IncomingMessage, trustedProxies: string[]): string | null {
  const peer = normalize(req.socket.remoteAddress ?? null);
  if (!peer || !trustedProxies.includes(peer)) return peer;
  const forwarded = req.headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return first ? normalize(first) : peer;
}

function normalize(ip: string | null): string | null {
  if (!ip) return null;
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}
