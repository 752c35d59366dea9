import { describe, expect, it } from 'vitest';
import { ProxyTrust } from '../http/proxy-trust.ts';

describe('ProxyTrust', () => {
  const trust = new ProxyTrust(['127.0.0.1', '::1', '10.42.0.0/16']);
  it.each([
    ['127.0.0.1', true],
    ['::ffff:127.0.0.1', true],
    ['::1', true],
    ['10.42.7.9', true],
    ['::ffff:10.42.7.9', true],
    ['10.43.0.1', false],
    ['192.0.2.2', false],
    ['not-an-ip', false],
    [undefined, false],
  ])('%s → %s', (ip, expected) => {
    expect(trust.trusts(ip)).toBe(expected);
  });

  it('refuses a bad entry at startup', () => {
    expect(() => new ProxyTrust(['10.0.0.0/8', 'traefik'])).toThrow('TRUSTED_PROXIES');
  });
});
