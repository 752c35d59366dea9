import { DEFAULT_PROFILE } from '../../../../../schema/domain/profiles.ts';
import type { RuntimeTarget } from '../../driver.ts';
import { type ResolvedOptions, resolveOptions } from '../options.ts';

/** Test fixtures shared by the renderer and driver tests (no production code imports this). */

export const RUNTIME_ID = '3f2a9c1e-2b7d-4c1a-9e0f-1234567890ab';
export const OWNER_ID = '9b1d2c3e-0000-4000-8000-00000000beef';
export const OWNER = { name: 'rt-anchor', uid: 'uid-anchor-1' };

export function sampleTarget(overrides: Partial<RuntimeTarget> = {}): RuntimeTarget {
  return {
    runtimeId: RUNTIME_ID,
    ownerId: OWNER_ID,
    ownerUsername: 'alice',
    hostLabel: 'u-alice',
    publicOrigin: 'https://u-alice.example.com',
    generation: 3,
    profile: { ...DEFAULT_PROFILE },
    openclawVersion: '2026.9.6',
    templateHash: 'tmpl-1',
    gatewayPassword: 'gw-secret-password',
    model: {
      baseUrl: 'http://credential-proxy.clawloops-system.svc:8080/v1',
      apiKey: 'sk-virtual-model-key',
      models: [{ id: 'm1', name: 'Model One' }],
      primary: 'm1',
    },
    ...overrides,
  };
}

export function sampleOptions(overrides: Partial<ResolvedOptions> = {}): ResolvedOptions {
  return {
    ...resolveOptions({
      kubeConfig: undefined as never,
      baseDomain: 'example.com',
      trustedProxies: ['10.42.0.0/16'],
    }),
    ...overrides,
  };
}
