import { describe, expect, it } from 'vitest';
import { deriveModelKey } from '../../schema/domain/model-key.ts';
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
