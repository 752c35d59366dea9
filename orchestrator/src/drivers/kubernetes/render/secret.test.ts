import { describe, expect, it } from 'vitest';
import { OWNER, sampleTarget } from './fixture.ts';
import { renderSecret } from './secret.ts';

const decode = (v: string | undefined) => Buffer.from(v ?? '', 'base64').toString('utf8');

describe('renderSecret', () => {
  it('holds the gateway password and the model key, base64-encoded', () => {
    const secret = renderSecret(sampleTarget(), 'ns', OWNER);
    expect(Object.keys(secret.data ?? {}).sort()).toEqual([
      'CLAWLOOPS_MODEL_KEY',
      'OPENCLAW_GATEWAY_PASSWORD',
    ]);
    expect(decode(secret.data?.OPENCLAW_GATEWAY_PASSWORD)).toBe('gw-secret-password');
    expect(decode(secret.data?.CLAWLOOPS_MODEL_KEY)).toBe('sk-virtual-model-key');
    expect(secret.stringData).toBeUndefined();
  });

  it('has no model key without model access', () => {
    const secret = renderSecret(sampleTarget({ model: undefined }), 'ns', OWNER);
    expect(Object.keys(secret.data ?? {})).toEqual(['OPENCLAW_GATEWAY_PASSWORD']);
  });

  it('is owned by the anchor', () => {
    expect(renderSecret(sampleTarget(), 'ns', OWNER).metadata?.ownerReferences).toEqual([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        name: OWNER.name,
        uid: OWNER.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
  });
});
