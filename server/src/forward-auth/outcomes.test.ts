import { describe, expect, it } from 'vitest';
import { decide } from './decide.ts';
import { Outcomes } from './outcomes.ts';

const config = {
  publicOrigin: 'http://localhost:8080',
  appHosts: ['localhost'],
  runtimeDomain: 'localhost',
};
const bob = {
  userId: 'b1',
  username: 'bob',
  role: 'user' as const,
  mustChangePassword: false,
  tokenScopes: null,
};
const runtime = {
  runtimeId: 'r1',
  ownerId: 'a1',
  ownerUsername: 'alice',
  phase: 'Running' as const,
  endpoint: 'http://127.0.0.1:1',
};
const base = {
  trustedSource: true,
  forwardedHost: 'u-alice.localhost:8080',
  forwardedUri: '/',
  forwardedMethod: 'GET',
  forwardedProto: 'http',
  hints: {},
  runtime,
  config,
};

describe('Outcomes', () => {
  it('counts every decision and audits a repeated denial once per window', () => {
    let now = 0;
    const rows: unknown[] = [];
    const o = new Outcomes(async (_who, entry) => void rows.push(entry), { now: () => now });
    const denied = decide({ ...base, viewer: bob });
    for (let i = 0; i < 50; i++)
      o.record(denied, { viewer: bob, ip: '10.0.0.1' }, base.forwardedHost);
    o.record(
      decide({ ...base, viewer: null }),
      { viewer: null, ip: '10.0.0.1' },
      base.forwardedHost,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'entrance.denied',
      result: 'denied',
      detail: { reason: 'not_owner' },
    });
    now += 60_001;
    o.record(denied, { viewer: bob, ip: '10.0.0.1' }, base.forwardedHost);
    expect(rows).toHaveLength(2);
    expect(o.counters).toEqual({
      allow: 0,
      deny: 52,
      byReason: { not_owner: 51, unauthenticated: 1 },
    });
  });

  it('keeps its rate-limit memory bounded', () => {
    const o = new Outcomes(async () => {}, { maxAuditKeys: 10 });
    const denied = decide({ ...base, viewer: bob });
    for (let i = 0; i < 1000; i++) o.record(denied, { viewer: bob, ip: null }, `u-x${i}.localhost`);
    expect((o as unknown as { lastAudit: Map<string, number> }).lastAudit.size).toBeLessThanOrEqual(
      10,
    );
  });
});
