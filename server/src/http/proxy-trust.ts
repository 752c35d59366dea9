import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/** Addresses (IPs or CIDRs) whose `X-Forwarded-*` headers are believed. */
export class ProxyTrust {
  private readonly list = new BlockList();

  /** @param entries e.g. `['127.0.0.1', '::1', '10.42.0.0/16']`; invalid entries throw at startup. */
  constructor(entries: string[]) {
    for (const entry of entries) {
      const [addr = '', bits] = entry.trim().split('/');
      const family = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
      if (!isIP(addr)) throw new Error(`TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR`);
      if (bits === undefined) this.list.addAddress(addr, family);
      else this.list.addSubnet(addr, Number(bits), family);
    }
  }

  trusts(address: string | null | undefined): boolean {
    if (!address) return false;
    const ip = unmap(address);
    const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
    return isIP(ip) !== 0 && this.list.check(ip, family);
  }
}

/** `::ffff:10.0.0.1` → `10.0.0.1`, so IPv4 rules match dual-stack sockets. */
export function unmap(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

/**
 * The client's address. `X-Forwarded-For` is believed only when the direct peer is a trusted proxy;
 * otherwise anyone could claim any address (and dodge rate limits or forge audit IPs).
 */
export function clientIp(req: IncomingMessage, trust: ProxyTrust): string | null {
  const peer = req.socket.remoteAddress ? unmap(req.socket.remoteAddress) : null;
  if (!trust.trusts(peer)) return peer;
  const forwarded = req.headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return first && isIP(unmap(first)) ? unmap(first) : peer;
}
