import { describe, expect, it } from 'vitest';
import { OWNER, OWNER_ID, RUNTIME_ID } from './fixture.ts';
import { type IngressRouteInput, renderIngressRoute } from './ingress-route.ts';

const input = (overrides: Partial<IngressRouteInput> = {}): IngressRouteInput => ({
  runtimeId: RUNTIME_ID,
  ownerId: OWNER_ID,
  namespace: 'ns',
  owner: OWNER,
  host: 'u-alice.example.com',
  publicOrigin: 'https://u-alice.example.com',
  forwardAuth: { name: 'clawloops-forwardauth', namespace: 'clawloops-system' },
  tls: {},
  ...overrides,
});

describe('renderIngressRoute', () => {
  it('routes the owner’s host through forwardAuth to the gateway Service', () => {
    const route = renderIngressRoute(input());
    expect(route.apiVersion).toBe('traefik.io/v1alpha1');
    expect(route.spec.routes).toEqual([
      {
        match: 'Host(`u-alice.example.com`)',
        kind: 'Rule',
        services: [{ name: route.metadata?.name, port: 18789 }],
        middlewares: [{ name: 'clawloops-forwardauth', namespace: 'clawloops-system' }],
      },
    ]);
    expect(route.metadata?.ownerReferences?.[0]?.uid).toBe(OWNER.uid);
  });

  it.each([
    ['https origin', input(), { tls: {} }],
    ['cert resolver', input({ tls: { certResolver: 'le' } }), { tls: { certResolver: 'le' } }],
    ['entry points', input({ entryPoints: ['websecure'] }), { entryPoints: ['websecure'] }],
  ])('%s', (_name, given, expected) => {
    expect(renderIngressRoute(given).spec).toMatchObject(expected);
  });

  it('has no TLS section for an http origin', () => {
    const route = renderIngressRoute(input({ publicOrigin: 'http://u-alice.localhost:8080' }));
    expect('tls' in route.spec).toBe(false);
  });

  it.each(['u-alice.example.com`) || Host(`evil.com', 'UPPER.example.com', '', 'a b'])(
    'refuses host %j',
    (host) => {
      expect(() => renderIngressRoute(input({ host }))).toThrow(/invalid runtime host/);
    },
  );
});
