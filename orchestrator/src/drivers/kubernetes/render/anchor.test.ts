import { describe, expect, it } from 'vitest';
import { IDENTITY_HEADER } from '../../../../../schema/domain/identity.ts';
import { renderAnchor } from './anchor.ts';
import { RUNTIME_ID, sampleOptions, sampleTarget } from './fixture.ts';

const config = (target = sampleTarget()) =>
  JSON.parse(renderAnchor(target, sampleOptions()).data?.['openclaw.json'] ?? '{}');

describe('renderAnchor', () => {
  it('is the labelled, unowned root ConfigMap', () => {
    const cm = renderAnchor(sampleTarget(), sampleOptions());
    expect(cm).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
    expect(cm.metadata?.name).toMatch(/^rt-3f2a9c1e-/);
    expect(cm.metadata?.namespace).toBe('clawloops-runtimes');
    expect(cm.metadata?.ownerReferences).toBeUndefined();
    expect(cm.metadata?.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'clawloops',
      'app.kubernetes.io/component': 'anchor',
      'clawloops.io/runtime-id': RUNTIME_ID,
    });
  });

  it.each([
    ['gateway.bind', 'lan'],
    ['gateway.port', 18789],
    ['gateway.trustedProxies', ['10.42.0.0/16']],
    ['gateway.auth.mode', 'trusted-proxy'],
    ['gateway.auth.trustedProxy.allowLoopback', false],
    ['gateway.auth.trustedProxy.userHeader', IDENTITY_HEADER],
    ['gateway.auth.trustedProxy.allowUsers', ['alice']],
    ['gateway.controlUi.allowedOrigins', ['https://u-alice.example.com']],
    ['models.providers.clawloops.apiKey', `\${CLAWLOOPS_MODEL_KEY}`],
  ])('renders %s = %j', (path, expected) => {
    const value = path
      .split('.')
      .reduce<unknown>((obj, key) => (obj as Record<string, unknown> | undefined)?.[key], config());
    expect(value).toEqual(expected);
  });

  it('never contains a secret value', () => {
    const text = JSON.stringify(renderAnchor(sampleTarget(), sampleOptions()));
    expect(text).not.toContain('gw-secret-password');
    expect(text).not.toContain('sk-virtual-model-key');
  });

  it('omits the model provider when the target has no model access', () => {
    expect(config(sampleTarget({ model: undefined })).models).toBeUndefined();
  });
});
