import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../../../schema/domain/profiles.ts';
import type { RuntimeTarget } from '../driver.ts';
import { ownerPaths, runtimePaths } from './paths.ts';
import {
  type GatewayLaunch,
  gatewayEnv,
  renderLocalConfig,
  shareCompileCache,
} from './spawn-gateway.ts';

const target: RuntimeTarget = {
  runtimeId: 'r1',
  ownerId: 'o1',
  ownerUsername: 'alice',
  hostLabel: 'u-alice',
  publicOrigin: 'http://u-alice.localhost:8080',
  generation: 1,
  profile: DEFAULT_PROFILE,
  openclawVersion: '2026.9.6',
  templateHash: 'h',
  gatewayPassword: 'secret-password',
  model: {
    baseUrl: 'http://127.0.0.1:4000/v1',
    apiKey: 'sk-secret',
    models: [{ id: 'm', name: 'M' }],
  },
};

const launch: GatewayLaunch = {
  target,
  port: 19100,
  packageDir: '/cache/2026.9.6/node_modules/openclaw',
  openclawCacheDir: '/cache',
  nodeBinary: '/opt/node24/bin/node',
  owner: ownerPaths('/data', 'o1'),
  runtime: runtimePaths('/data', 'r1'),
  identityHeader: 'x-clawloops-user',
  trustedProxies: ['127.0.0.1'],
};

// biome-ignore lint/suspicious/noExplicitAny: walking untyped JSON
type Json = any;

describe('renderLocalConfig', () => {
  it('binds loopback behind the same-host entrance, logs per runtime, holds no secrets', () => {
    const config: Json = renderLocalConfig(launch);
    expect(config.gateway.bind).toBe('loopback');
    expect(config.gateway.auth.trustedProxy.allowLoopback).toBe(true);
    expect(config.gateway.trustedProxies).toEqual(['127.0.0.1']);
    expect(config.logging.file).toBe('/data/runtimes/r1/openclaw.log');
    const text = JSON.stringify(config);
    expect(text).not.toContain('secret-password');
    expect(text).not.toContain('sk-secret');
  });
});

describe('gatewayEnv', () => {
  it('isolates the owner’s state and carries the secrets', () => {
    const env = gatewayEnv(launch);
    expect(env).toMatchObject({
      HOME: '/data/workspaces/o1/home',
      OPENCLAW_STATE_DIR: '/data/workspaces/o1/home/.openclaw',
      OPENCLAW_CONFIG_PATH: '/data/workspaces/o1/home/.openclaw/openclaw.json',
      OPENCLAW_GATEWAY_PASSWORD: 'secret-password',
      CLAWLOOPS_MODEL_KEY: 'sk-secret',
      OPENCLAW_NO_RESPAWN: '1',
    });
    expect(env.PATH?.startsWith('/opt/node24/bin:')).toBe(true);
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('has no model key without model access', () => {
    expect(
      gatewayEnv({ ...launch, target: { ...target, model: undefined } }).CLAWLOOPS_MODEL_KEY,
    ).toBeUndefined();
  });
});

describe('shareCompileCache', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  function scratch(): { tmp: string; shared: string } {
    const root = mkdtempSync(join(tmpdir(), 'share-cache-'));
    dirs.push(root);
    mkdirSync(join(root, 'tmp'));
    return { tmp: join(root, 'tmp'), shared: join(root, 'cache', 'node-compile-cache') };
  }

  it("points the owner's TMPDIR cache entry at the shared cache, creating it", () => {
    const { tmp, shared } = scratch();
    shareCompileCache(tmp, shared);
    expect(readlinkSync(join(tmp, 'node-compile-cache'))).toBe(shared);
    writeFileSync(join(tmp, 'node-compile-cache', 'probe'), 'x');
    shareCompileCache(tmp, shared); // idempotent: keeps what is in the cache
    expect(readFileSync(join(tmp, 'node-compile-cache', 'probe'), 'utf8')).toBe('x');
  });

  it('replaces a private cache directory from an older layout', () => {
    const { tmp, shared } = scratch();
    mkdirSync(join(tmp, 'node-compile-cache', 'openclaw'), { recursive: true });
    shareCompileCache(tmp, shared);
    expect(readlinkSync(join(tmp, 'node-compile-cache'))).toBe(shared);
  });
});
