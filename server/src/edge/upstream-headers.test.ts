import { describe, expect, it } from 'vitest';
import { attribution, LOCAL_CLIENT_ATTRIBUTION, upstreamHeaders } from './upstream-headers.ts';

const identity = {
  'x-clawloops-user': 'alice',
  'x-clawloops-user-id': 'a1',
  'x-clawloops-runtime-id': 'r1',
};
const facts = {
  identity,
  identityHeader: 'x-clawloops-user',
  proto: 'http',
  host: 'u-alice.localhost:8080',
};

describe('upstreamHeaders', () => {
  it('replaces every client claim with the entrance’s own', () => {
    const out = upstreamHeaders(
      {
        host: 'u-alice.localhost:8080',
        'x-clawloops-user': 'mallory',
        'x-clawloops-anything': 'x',
        'x-forwarded-for': '203.0.113.9',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'evil.com',
        forwarded: 'for=1.2.3.4',
        'x-real-ip': '1.2.3.4',
        accept: 'text/html',
      },
      { ...facts, clientIp: '127.0.0.1' },
    );
    expect(out).toEqual({
      host: 'u-alice.localhost:8080',
      accept: 'text/html',
      ...identity,
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'u-alice.localhost:8080',
      'x-forwarded-for': LOCAL_CLIENT_ATTRIBUTION,
    });
  });

  it('sets a custom identity header and strips a client copy of it', () => {
    const out = upstreamHeaders(
      { 'x-forwarded-user': 'mallory' },
      { ...facts, identityHeader: 'X-Forwarded-User', clientIp: null },
    );
    expect(out['x-forwarded-user']).toBe('alice');
  });

  it('keeps ClawLoops credentials away from the runtime', () => {
    const out = upstreamHeaders(
      { cookie: 'a=1; clawloops_session=secret; b=2', authorization: 'Bearer clt_abc' },
      { ...facts, clientIp: null },
    );
    expect(out.cookie).toBe('a=1; b=2');
    expect(out.authorization).toBeUndefined();
    const only = upstreamHeaders(
      { cookie: 'clawloops_session=secret' },
      { ...facts, clientIp: null },
    );
    expect(only.cookie).toBeUndefined();
    const other = upstreamHeaders({ authorization: 'Basic eDp5' }, { ...facts, clientIp: null });
    expect(other.authorization).toBe('Basic eDp5');
  });
});

describe('attribution', () => {
  it.each([
    ['127.0.0.1', LOCAL_CLIENT_ATTRIBUTION],
    ['127.8.9.1', LOCAL_CLIENT_ATTRIBUTION],
    ['::1', LOCAL_CLIENT_ATTRIBUTION],
    ['::ffff:127.0.0.1', LOCAL_CLIENT_ATTRIBUTION],
    ['garbage', LOCAL_CLIENT_ATTRIBUTION],
    [null, LOCAL_CLIENT_ATTRIBUTION],
    ['::ffff:192.168.1.20', '192.168.1.20'],
    ['203.0.113.7', '203.0.113.7'],
    ['2001:db8::5', '2001:db8::5'],
  ])('%s → %s', (ip, expected) => {
    expect(attribution(ip)).toBe(expected);
  });
});
