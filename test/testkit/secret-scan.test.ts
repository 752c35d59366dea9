import { describe, expect, it } from 'vitest';
import { SecretScanner } from './secret-scan.ts';

const SECRET = 'clt_s3cr3t+/value=with-symbols';

describe('SecretScanner', () => {
  it.each([
    ['raw', `log line token=${SECRET} end`],
    ['base64', `data: ${Buffer.from(SECRET).toString('base64')}`],
    ['base64url', `x ${Buffer.from(SECRET).toString('base64url')} y`],
    ['url-encoded', `GET /cb?t=${encodeURIComponent(SECRET)}`],
    ['json-escaped', JSON.stringify({ nested: JSON.stringify({ t: 'a"b', s: SECRET }) })],
  ])('finds a secret %s', (_enc, text) => {
    const s = new SecretScanner();
    s.add('api token', SECRET);
    s.collect('log', text);
    expect(s.findings()).toHaveLength(1);
    expect(() => s.assertNoLeaks()).toThrow(/api token in log/);
  });

  it('never prints the secret, and honours where it is allowed', () => {
    const s = new SecretScanner();
    s.add('api token', SECRET, { allowedIn: /^graphql:createApiToken/ });
    s.collect('graphql:createApiToken#owner', { token: SECRET });
    expect(s.findings()).toEqual([]);
    s.collect('log', `oops ${SECRET}`);
    const report = (() => {
      try {
        s.assertNoLeaks();
        return '';
      } catch (err) {
        return String(err);
      }
    })();
    expect(report).toContain('«api token»');
    expect(report).not.toContain(SECRET);
  });

  it('refuses secrets too short to match reliably', () => {
    expect(() => new SecretScanner().add('pin', '1234')).toThrow(/shorter/);
  });

  it('passes clean artefacts', () => {
    const s = new SecretScanner();
    s.add('password', 'Passw0rd-abcdef12');
    s.collect('log', '{"msg":"login failed","password":"[redacted]"}');
    expect(() => s.assertNoLeaks()).not.toThrow();
    expect(s.stats()).toMatchObject({ secrets: 1, sources: 1 });
  });
});
