import { createServer } from 'node:net';

export interface PortPool {
  base: number;
  stride: number;
  count: number;
}

export function poolPorts(pool: PortPool): number[] {
  return Array.from({ length: pool.count }, (_, i) => pool.base + i * pool.stride);
}

/**
 * Ports to try for a runtime, best first: its previous port (so it tends to keep it), then ports no
 * other runtime remembers, then ports only stopped runtimes remember. Ports of running runtimes are
 * never offered. An empty list means the pool is exhausted.
 */
export function candidatePorts(
  pool: PortPool,
  inUse: ReadonlySet<number>,
  remembered: ReadonlySet<number>,
  preferred?: number,
): number[] {
  const all = poolPorts(pool).filter((p) => !inUse.has(p));
  const fresh = all.filter((p) => !remembered.has(p) && p !== preferred);
  const reused = all.filter((p) => remembered.has(p) && p !== preferred);
  const first = preferred !== undefined && all.includes(preferred) ? [preferred] : [];
  return [...first, ...fresh, ...reused];
}

/** Can we listen on 127.0.0.1:port right now? Guards against processes outside the driver's books. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}
