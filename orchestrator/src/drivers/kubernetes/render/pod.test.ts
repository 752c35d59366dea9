import type { V1Container } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { OWNER, RUNTIME_ID, sampleTarget } from './fixture.ts';
import { renderPod } from './pod.ts';

const render = (target = sampleTarget(), extra: { image?: string } = {}) =>
  renderPod({
    target,
    namespace: 'ns',
    image: extra.image ?? 'ghcr.io/openclaw/openclaw',
    owner: OWNER,
    terminationGracePeriodSeconds: 60,
  });
const pod = render();
const gateway = pod.spec?.containers[0] as V1Container;
const env = Object.fromEntries((gateway.env ?? []).map((e) => [e.name, e]));

describe('renderPod', () => {
  it('is a bare, self-restarting pod owned by the anchor', () => {
    expect(pod.spec?.restartPolicy).toBe('Always');
    expect(pod.metadata?.ownerReferences?.[0]).toMatchObject({ uid: OWNER.uid, controller: true });
    expect(pod.metadata?.labels?.['clawloops.io/runtime-id']).toBe(RUNTIME_ID);
    expect(pod.metadata?.labels?.['app.kubernetes.io/component']).toBe('gateway');
    expect(pod.metadata?.annotations?.['clawloops.io/template-hash']).toBe('tmpl-1');
  });

  it('runs the versioned image as the gateway on the lan bind', () => {
    expect(gateway.image).toBe('ghcr.io/openclaw/openclaw:2026.9.6');
    expect(gateway.args).toEqual([
      'node',
      '/app/dist/index.js',
      'gateway',
      'run',
      '--bind',
      'lan',
      '--port',
      '18789',
    ]);
    expect(gateway.ports).toEqual([{ name: 'http', containerPort: 18789, protocol: 'TCP' }]);
  });

  it.each([
    ['HOME', '/home/node'],
    ['OPENCLAW_STATE_DIR', '/home/node/.openclaw'],
    ['OPENCLAW_CONFIG_PATH', '/etc/openclaw/openclaw.json'],
    ['NODE_OPTIONS', '--max-old-space-size=1536'],
    ['OPENCLAW_NO_RESPAWN', '1'],
  ])('sets %s=%s', (name, value) => {
    expect(env[name]?.value).toBe(value);
  });

  it('takes credentials from the Secret only', () => {
    for (const key of ['OPENCLAW_GATEWAY_PASSWORD', 'CLAWLOOPS_MODEL_KEY']) {
      expect(env[key]?.value).toBeUndefined();
      expect(env[key]?.valueFrom?.secretKeyRef).toEqual({ name: pod.metadata?.name, key });
    }
    expect(JSON.stringify(pod)).not.toContain('gw-secret-password');
    const noModel = render(sampleTarget({ model: undefined }));
    expect(JSON.stringify(noModel)).not.toContain('CLAWLOOPS_MODEL_KEY');
  });

  it("a profile's image repository replaces OPENCLAW_IMAGE; the tag stays the version", () => {
    const profile = { ...sampleTarget().profile, image: 'registry.example.com:5000/team/openclaw' };
    const custom = render(sampleTarget({ profile, openclawVersion: '2026.10.1' }));
    const images = [...(custom.spec?.initContainers ?? []), ...(custom.spec?.containers ?? [])].map(
      (c) => c.image,
    );
    expect(images).toEqual([
      'registry.example.com:5000/team/openclaw:2026.10.1',
      'registry.example.com:5000/team/openclaw:2026.10.1',
    ]);
  });

  it('sizes resources from the profile', () => {
    expect(gateway.resources).toEqual({
      requests: { cpu: '250m', memory: '2048Mi' },
      limits: { cpu: '2', memory: '2048Mi' },
    });
  });

  it('is hardened', () => {
    expect(pod.spec?.automountServiceAccountToken).toBe(false);
    expect(pod.spec?.securityContext).toMatchObject({
      runAsUser: 1000,
      runAsGroup: 1000,
      fsGroup: 1000,
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    for (const c of [...(pod.spec?.initContainers ?? []), gateway]) {
      expect(c.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
    }
  });

  it('probes startup/readiness on /startupz and liveness on /healthz', () => {
    expect(gateway.startupProbe?.httpGet?.path).toBe('/startupz');
    expect(gateway.readinessProbe?.httpGet?.path).toBe('/startupz');
    expect(gateway.livenessProbe?.httpGet?.path).toBe('/healthz');
  });

  it('seeds a writable config copy and mounts the workspace', () => {
    expect(pod.spec?.initContainers?.[0]?.command).toEqual([
      'cp',
      '/etc/openclaw-template/openclaw.json',
      '/etc/openclaw/openclaw.json',
    ]);
    const mounts = Object.fromEntries((gateway.volumeMounts ?? []).map((m) => [m.mountPath, m]));
    expect(mounts['/home/node/.openclaw']).toMatchObject({ name: 'workspace', subPath: 'state' });
    expect(mounts['/home/node/.config/openclaw']).toMatchObject({
      name: 'workspace',
      subPath: 'config',
    });
    expect(mounts['/tmp']?.name).toBe('scratch');
    expect(mounts['/etc/openclaw']?.readOnly).toBeUndefined();
    const claim = pod.spec?.volumes?.find((v) => v.name === 'workspace');
    expect(claim?.persistentVolumeClaim?.claimName).toMatch(/^ws-/);
  });

  it.each([
    ['nothing', sampleTarget(), false],
    ['template hash only', sampleTarget({ templateHash: 'tmpl-2' }), false],
    ['version', sampleTarget({ openclawVersion: '2026.10.1' }), true],
    ['memory', sampleTarget({ profile: { ...sampleTarget().profile, memoryMiB: 4096 } }), true],
    ['model access', sampleTarget({ model: undefined }), true],
  ])('spec hash changes with the spec (%s: %s)', (_name, target, changes) => {
    const hash = (p: typeof pod) => p.metadata?.annotations?.['clawloops.io/spec-hash'];
    expect(hash(render(target)) !== hash(pod)).toBe(changes);
  });

  it('changes the spec hash when the image repository changes', () => {
    const other = render(sampleTarget(), { image: 'registry.local/openclaw' });
    expect(other.metadata?.annotations?.['clawloops.io/spec-hash']).not.toBe(
      pod.metadata?.annotations?.['clawloops.io/spec-hash'],
    );
  });
});
