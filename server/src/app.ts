import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthUnavailableError } from './auth/viewer.ts';
import type { AppDeps } from './context.ts';
import { attachGraphqlWs } from './graphql/ws.ts';
import { buildYoga } from './graphql/yoga.ts';
import { readBody } from './http/body.ts';
import { databaseCheck, healthRoute, type ReadinessCheck } from './http/health.ts';
import { clientIp, ProxyTrust } from './http/proxy-trust.ts';
import { handleWithRequestId } from './http/request-id.ts';
import { sendJson } from './http/respond.ts';
import { metricsRoute } from './metrics/route.ts';

/** Extra HTTP routes mounted by later layers (forward auth, model proxy, SPA, edge). */
export type Route = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface BuildAppOptions {
  /**
   * Tried first, in order (before health, the body limit and GraphQL), so a host-matched route such as
   * the embedded edge owns everything on its hosts. A route returns true when it handled the request.
   */
  routes?: Route[];
  /** Peers whose `X-Forwarded-For` is believed. @default loopback only */
  trust?: ProxyTrust;
  /** Largest accepted request body in bytes. @default 1 MiB */
  maxBodyBytes?: number;
  /** Tried last, when nothing else matched (the SPA: static files and index.html for app routes). */
  fallback?: Route;
  /**
   * Readiness dependencies besides the database (always checked), e.g. the LISTEN connection that
   * carries runtime events. @default none
   */
  readiness?: Record<string, ReadinessCheck>;
}

/**
 * The control plane's HTTP surface: GraphQL over HTTP/SSE and graphql-ws on one port, health
 * endpoints, and whatever routes later layers add. Returns `{ start, stop }`; only main.ts touches the
 * process.
 */
export function buildApp(deps: AppDeps, options: BuildAppOptions = {}) {
  const trust = options.trust ?? new ProxyTrust(['127.0.0.1', '::1']);
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const yoga = buildYoga(deps);
  const routes: Route[] = [
    ...(options.routes ?? []),
    healthRoute({ database: databaseCheck(deps.orm), ...options.readiness }),
    metricsRoute(deps, { token: deps.config.METRICS_TOKEN, trust }),
  ];

  // Every request runs under its id (X-Request-Id answered; `reqId` on each log line meanwhile).
  const server = createServer((req, res) =>
    handleWithRequestId(req, res, trust, () => handle(req, res)),
  );
  async function handle(req: IncomingMessage, res: ServerResponse) {
    try {
      for (const route of routes) if (await route(req, res)) return;
      if (Number(req.headers['content-length'] ?? 0) > maxBody) return tooLarge(res, maxBody);
      if (new URL(req.url ?? '/', 'http://x').pathname.startsWith(yoga.graphqlEndpoint)) {
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          // Read here, counted: a chunked body declares no length for the check above.
          const read = await readBody(req, maxBody);
          if (!read.ok) return read.reason === 'too_large' ? tooLarge(res, maxBody) : res.destroy();
          // Yoga's server adapter takes a body already read from `req.body`.
          (req as IncomingMessage & { body?: Buffer }).body = read.body;
        }
        // `handle(req, res)` writes the response; `handleNodeRequestAndResponse` only returns it.
        await yoga.handle(req, res, { ip: clientIp(req, trust) });
        return;
      }
      if (options.fallback && (await options.fallback(req, res))) return;
      sendJson(res, 404, { code: 'NOT_FOUND', message: 'No such route.' });
    } catch (err) {
      if (res.headersSent) return void res.destroy();
      if (err instanceof AuthUnavailableError)
        return sendJson(res, 503, { code: err.code, message: err.message });
      deps.logger.error({ err }, 'request failed');
      sendJson(res, 500, { code: 'INTERNAL', message: 'Internal error.' });
    }
  }
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  const ws = attachGraphqlWs(server, yoga, trust);

  return {
    server,
    yoga,
    async start(port: number, host = '0.0.0.0'): Promise<number> {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      return (server.address() as AddressInfo).port;
    },
    async stop(): Promise<void> {
      await ws.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type App = ReturnType<typeof buildApp>;

/** 413, and the connection closed: the rest of an oversized body is never read. */
function tooLarge(res: ServerResponse, maxBody: number): void {
  sendJson(
    res,
    413,
    { code: 'PAYLOAD_TOO_LARGE', message: `Request bodies are limited to ${maxBody} bytes.` },
    { connection: 'close' },
  );
}
