import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ProxyTrust } from '../http/proxy-trust.ts';
import { metricsAccess } from './access.ts';

function req(peer: string, headers: Record<string, string> = {}): IncomingMessage {
  return { socket: { remoteAddress: peer }, headers } as unknown as IncomingMessage;
}

const trust = new ProxyTrust(['127.0.0.1', '::1', '10.0.0.2']);
const TOKEN = 'a-metrics-token-of-some-length';

describe('metricsAccess', () => {
  it.each([
    ['loopback v4', req('127.0.0.1'), 'ok'],
    ['loopback v6', req('::1'), 'ok'],
    ['mapped loopback', req('::ffff:127.0.0.1'), 'ok'],
    ['a trusted proxy itself', req('10.0.0.2'), 'ok'],
    ['a remote peer', req('192.0.2.4'), 'forbidden'],
    [
      'a remote client behind a trusted proxy',
      req('10.0.0.2', { 'x-forwarded-for': '192.0.2.4' }),
      'forbidden',
    ],
    [
      'a remote peer claiming loopback',
      req('192.0.2.4', { 'x-forwarded-for': '127.0.0.1' }),
      'forbidden',
    ],
  ] as const)('no token: %s → %s', (_name, r, want) => {
    expect(metricsAccess(r, { trust })).toBe(want);
  });

  it.each([
    ['the bearer from anywhere', req('192.0.2.4', { authorization: `Bearer ${TOKEN}` }), 'ok'],
    ['loopback without the bearer', req('127.0.0.1'), 'unauthorized'],
    ['a wrong bearer', req('127.0.0.1', { authorization: 'Bearer nope' }), 'unauthorized'],
    ['the token without the scheme', req('127.0.0.1', { authorization: TOKEN }), 'unauthorized'],
  ] as const)('token: %s → %s', (_name, r, want) => {
    expect(metricsAccess(r, { token: TOKEN, trust })).toBe(want);
  });
});
