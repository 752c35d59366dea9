import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { candidatePorts, isPortFree, poolPorts } from './ports.ts';

const pool = { base: 19100, stride: 20, count: 4 };

describe('poolPorts', () => {
  it('spaces ports by the stride', () => {
    expect(poolPorts(pool)).toEqual([19100, 19120, 19140, 19160]);
  });
});

describe('candidatePorts', () => {
  const cases: [string, Set<number>, Set<number>, number | undefined, number[]][] = [
    ['empty pool state: in order', new Set(), new Set(), undefined, [19100, 19120, 19140, 19160]],
    ['previous port first', new Set(), new Set(), 19140, [19140, 19100, 19120, 19160]],
    [
      'running ports are never offered',
      new Set([19100, 19140]),
      new Set(),
      undefined,
      [19120, 19160],
    ],
    [
      'previous port taken by a running runtime',
      new Set([19140]),
      new Set(),
      19140,
      [19100, 19120, 19160],
    ],
    [
      'ports other runtimes remember come last',
      new Set(),
      new Set([19100]),
      undefined,
      [19120, 19140, 19160, 19100],
    ],
    [
      'preferred port outside the pool is ignored',
      new Set(),
      new Set(),
      18000,
      [19100, 19120, 19140, 19160],
    ],
    ['exhausted', new Set([19100, 19120, 19140, 19160]), new Set(), 19100, []],
  ];
  it.each(cases)('%s', (_name, inUse, remembered, preferred, expected) => {
    expect(candidatePorts(pool, inUse, remembered, preferred)).toEqual(expected);
  });
});

describe('isPortFree', () => {
  it('is false while something listens on the port', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    expect(await isPortFree(port)).toBe(false);
    await new Promise((resolve) => server.close(resolve));
    expect(await isPortFree(port)).toBe(true);
  });
});
