import { describe, expect, it } from 'vitest';
import { OWNER_ID } from './fixture.ts';
import { renderWorkspaceClaim, requestedGiB } from './workspace.ts';

describe('renderWorkspaceClaim', () => {
  const claim = renderWorkspaceClaim({ ownerId: OWNER_ID, namespace: 'ns', sizeGiB: 10 });

  it('is a per-owner RWO claim of the requested size', () => {
    expect(claim.metadata?.name).toMatch(/^ws-9b1d2c3e-/);
    expect(claim.spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '10Gi' } },
    });
  });

  it('is not owned by any runtime and carries no runtime id', () => {
    expect(claim.metadata?.ownerReferences).toBeUndefined();
    expect(claim.metadata?.labels?.['clawloops.io/runtime-id']).toBeUndefined();
    expect(claim.metadata?.labels?.['clawloops.io/owner-id']).toBe(OWNER_ID);
  });

  it('sets the storage class only when configured', () => {
    const fast = renderWorkspaceClaim({
      ownerId: OWNER_ID,
      namespace: 'ns',
      sizeGiB: 1,
      storageClassName: 'fast',
    });
    expect(fast.spec?.storageClassName).toBe('fast');
  });
});

describe('requestedGiB', () => {
  it.each([
    ['10Gi', 10],
    ['1Ti', 1024],
    ['512Mi', 0.5],
    ['10G', undefined],
    ['10737418240', undefined],
    [undefined, undefined],
  ])('%s → %s', (storage, expected) => {
    const claim = storage ? { spec: { resources: { requests: { storage } } } } : undefined;
    expect(requestedGiB(claim)).toBe(expected);
  });
});
