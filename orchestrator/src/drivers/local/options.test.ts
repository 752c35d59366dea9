import { describe, expect, it } from 'vitest';
import { resolveOptions } from './options.ts';

describe('resolveOptions', () => {
  it('fills defaults around what is given', () => {
    const resolved = resolveOptions({ dataDir: '/d', portBase: 30000, stopTimeoutMs: undefined });
    expect(resolved).toMatchObject({
      dataDir: '/d',
      portBase: 30000,
      portStride: 20,
      stopTimeoutMs: 15000,
      trustedProxies: ['127.0.0.1'],
      nodeBinary: process.execPath,
    });
    expect(resolved.openclawCacheDir).toMatch(/\.cache\/clawloops\/openclaw$/);
  });

  it.each([
    ['stride below 20', { portStride: 10 }],
    ['privileged base', { portBase: 80 }],
    ['pool past the port range', { portBase: 64000, portCount: 100 }],
    ['empty pool', { portCount: 0 }],
  ])('rejects %s', (_name, extra) => {
    expect(() => resolveOptions({ dataDir: '/d', ...extra })).toThrow();
  });
});

describe('resolveOptions dataDir', () => {
  it('makes a relative dataDir absolute (gateways run with their own working directory)', () => {
    expect(resolveOptions({ dataDir: '.data/runtimes-local' }).dataDir).toBe(
      `${process.cwd()}/.data/runtimes-local`,
    );
  });
});
