import { describe, expect, it } from 'vitest';
import { OWNER, OWNER_ID, RUNTIME_ID } from './fixture.ts';
import { renderService, serviceEndpoint } from './service.ts';

describe('renderService', () => {
  const svc = renderService(RUNTIME_ID, OWNER_ID, 'ns', OWNER);

  it('exposes the gateway port with an explicit protocol (SSA list key)', () => {
    expect(svc.spec?.type).toBe('ClusterIP');
    expect(svc.spec?.ports).toEqual([
      { name: 'http', port: 18789, targetPort: 18789, protocol: 'TCP' },
    ]);
  });

  it('selects only this runtime’s gateway pod', () => {
    expect(svc.spec?.selector).toEqual({
      'app.kubernetes.io/managed-by': 'clawloops',
      'app.kubernetes.io/component': 'gateway',
      'clawloops.io/runtime-id': RUNTIME_ID,
    });
  });

  it('has an in-cluster endpoint under the same name', () => {
    expect(serviceEndpoint(RUNTIME_ID, 'ns')).toBe(`http://${svc.metadata?.name}.ns.svc:18789`);
  });
});
