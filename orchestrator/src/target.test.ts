import { describe, expect, it } from 'vitest';
import { deriveModelKey } from '../../schema/domain/model-key.ts';
import { DEFAULT_PROFILE } from '../../schema/domain/profiles.ts';
import type { RuntimeRow } from './status/runtime-row.ts';
import { buildTarget } from './target.ts';

const row = {
  id: '00000000-0000-4000-8000-000000000001',
  ownerId: '00000000-0000-4000-8000-000000000002',
  ownerUsername: 'alice',
  desiredState: 'running',
  generation: 3,
  retentionPolicy: 'preserve',
  profile: 'default',
  runtimeVersion: '',
  restartNonce: 0,
} as RuntimeRow;
const settings = {
  secret: 's'.repeat(40),
  publicUrl: 'http://localhost:8080',
  modelProxyUrl: 'http://127.0.0.1:8080/v1',
};
const models = [
  { id: 'gpt-x', name: 'gpt-x', contextWindow: 128000 },
  { id: 'small', name: 'small' },
];

describe('buildTarget model access', () => {
  it('lists granted models (first = primary) with the key derived from the generation', () => {
    const t = buildTarget(row, settings, models);
    expect(t.model).toEqual({
      baseUrl: 'http://127.0.0.1:8080/v1',
      apiKey: deriveModelKey(settings.secret, row.id, 3),
      models,
      primary: 'gpt-x',
    });
    expect(t.model?.apiKey).toMatch(/^clk_[A-Za-z0-9_-]{43}$/);
  });

  it('no proxy URL or no grants: no model provider at all', () => {
    expect(
      buildTarget(row, { ...settings, modelProxyUrl: undefined }, models).model,
    ).toBeUndefined();
    expect(buildTarget(row, settings, []).model).toBeUndefined();
  });

  it('a grant change or a new generation changes the template hash; the same inputs do not', () => {
    const base = buildTarget(row, settings, models).templateHash;
    expect(buildTarget(row, settings, models).templateHash).toBe(base);
    expect(buildTarget(row, settings, models.slice(1)).templateHash).not.toBe(base);
    const next = buildTarget({ ...row, generation: 4 }, settings, models);
    expect(next.templateHash).not.toBe(base);
    expect(next.model?.apiKey).not.toBe(deriveModelKey(settings.secret, row.id, 3));
  });
});

describe('buildTarget profile', () => {
  const big = {
    name: 'big',
    cpuRequest: '1',
    cpuLimit: '4',
    memoryMiB: 8192,
    heapMiB: 6000,
    diskGiB: 50,
    openclawVersion: '2026.10.1',
    terminal: true,
    image: 'registry.example.com/openclaw',
  };

  it('renders the copy in the spec, as stored (jsonb object or text), keys in one order', () => {
    const reordered = Object.fromEntries(Object.entries(big).reverse());
    const fromObject = buildTarget({ ...row, profile: 'big', profileSpec: reordered }, settings);
    const fromText = buildTarget(
      { ...row, profile: 'big', profileSpec: JSON.stringify(big) },
      settings,
    );
    expect(fromObject.profile).toEqual(big);
    expect(Object.keys(fromObject.profile)).toEqual(Object.keys(big));
    expect(fromObject.openclawVersion).toBe('2026.10.1');
    expect(fromText.templateHash).toBe(fromObject.templateHash);
  });

  it('no copy (started before stored profiles): the built-in profile of its name, hash unchanged', () => {
    const legacy = buildTarget({ ...row, profileSpec: null }, settings);
    expect(legacy.profile).toBe(DEFAULT_PROFILE);
    const copied = buildTarget({ ...row, profileSpec: { ...DEFAULT_PROFILE } }, settings);
    expect(copied.templateHash).toBe(legacy.templateHash);
    expect(() => buildTarget({ ...row, profile: 'gone', profileSpec: null }, settings)).toThrow(
      'Unknown runtime profile "gone".',
    );
  });

  it('a malformed copy is a readable error (the controller records it as InvalidSpec)', () => {
    expect(() =>
      buildTarget({ ...row, profileSpec: { ...big, memoryMiB: 'lots' } }, settings),
    ).toThrow(/Invalid runtime profile in the runtime's spec \(memoryMiB: /);
  });

  it('a changed copy changes the template hash', () => {
    const a = buildTarget({ ...row, profileSpec: big }, settings).templateHash;
    const b = buildTarget(
      { ...row, profileSpec: { ...big, heapMiB: 5000 } },
      settings,
    ).templateHash;
    expect(b).not.toBe(a);
  });
});
