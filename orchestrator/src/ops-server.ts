/**
 * The orchestrator's own HTTP port (ORCHESTRATOR_METRICS_PORT, default 9464): `/metrics`, `/livez`,
 * `/readyz`. Every orchestrator serves it — stand-alone, and as the worker thread inside `npm start`,
 * whose registry the server's `/metrics` cannot see.
 *
 * Access to `/metrics`: with METRICS_TOKEN set, `Authorization: Bearer <token>` only; unset, loopback
 * peers only (nothing forwards to this port, so X-Forwarded-For is never believed here). `/livez` and
 * `/readyz` are open: they reveal only check names and ok/failing, and kubelet probes carry no token.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { RuntimeDriver } from './drivers/driver.ts';
import type { Logger } from './logger.ts';
import { isLeader, queueDepth, registry, setPoolGauges } from './metrics.ts';
import type { Orchestrator } from './orchestrator.ts';

export interface OpsServerOptions {
  orm: MikroORM;
  driver: RuntimeDriver;
  orchestrator: Orchestrator;
  logger: Logger;
  /** METRICS_TOKEN. @default unset: loopback scrapers only */
  token?: string;
  /** @default 9464 (0: any free port, for tests) */
  port?: number;
  /** @default '0.0.0.0' */
  host?: string;
}

const CHECK_TIMEOUT_MS = 2_000;

function within<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error('timed out')), CHECK_TIMEOUT_MS);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function mayScrape(req: IncomingMessage, token: string | undefined): boolean {
  if (token) {
    const h = req.headers.authorization ?? '';
    const given = Buffer.from(h.startsWith('Bearer ') ? h.slice(7) : '');
    const want = Buffer.from(token);
    return given.length === want.length && timingSafeEqual(given, want);
  }
  const peer = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  return peer === '::1' || peer.startsWith('127.');
}

export async function startOpsServer(o: OpsServerOptions) {
  const checks: Record<string, () => Promise<unknown>> = {
    database: () => o.orm.em.getConnection().execute('select 1'),
    [`driver:${o.driver.kind}`]: () => o.driver.checkBackend?.() ?? Promise.resolve(),
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/livez' || path === '/healthz') return json(res, 200, { status: 'live' });
    if (path === '/readyz') {
      const names = Object.keys(checks);
      const results = await Promise.allSettled(
        names.map((n) => within(checks[n]?.() as Promise<unknown>)),
      );
      const report = Object.fromEntries(
        names.map((n, i) => [n, results[i]?.status === 'fulfilled' ? 'ok' : 'failing']),
      );
      const ready = results.every((r) => r.status === 'fulfilled');
      // A standby replica is ready: it is healthy and takes over when the leader goes.
      return json(res, ready ? 200 : 503, {
        status: ready ? 'ready' : 'unavailable',
        leader: o.orchestrator.isLeader,
        checks: report,
      });
    }
    if (path !== '/metrics') return json(res, 404, { code: 'NOT_FOUND' });
    if (!mayScrape(req, o.token)) {
      return json(res, o.token ? 401 : 403, {
        code: o.token ? 'UNAUTHENTICATED' : 'FORBIDDEN',
        message: 'Metrics need the METRICS_TOKEN bearer, or a loopback caller when it is unset.',
      });
    }
    queueDepth.set(o.orchestrator.controller?.stats.queueDepth ?? 0);
    isLeader.set(o.orchestrator.isLeader ? 1 : 0);
    await setPoolGauges(o.orm).catch((err) => o.logger.warn({ err }, 'metrics: pool gauges'));
    res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      o.logger.error({ err }, 'ops request failed');
      if (!res.headersSent) json(res, 500, { code: 'INTERNAL' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 9464, o.host ?? '0.0.0.0', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    /** `http://<host>:<port>` (0.0.0.0 reported as 127.0.0.1). */
    url: `http://${(o.host ?? '0.0.0.0') === '0.0.0.0' ? '127.0.0.1' : o.host}:${port}`,
    async stop(): Promise<void> {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
