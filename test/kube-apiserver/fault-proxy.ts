/**
 * A fault-injecting proxy in front of the real apiserver. It serves TLS with the apiserver's own
 * self-signed certificate, so the orchestrator verifies the proxy exactly as it would the apiserver
 * (client-node refuses plain http unless TLS verification is off), and trusts the same CA upstream. It injects the same
 * request faults as the simulator (test/kube-sim/faults.ts: 500s, slow responses), drops or expires
 * open watches, counts them, and keeps the simulator's request log (so `rbacRules()` works here too).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, request } from 'node:https';
import {
  type DelayRequestsOptions,
  type FailRequestsOptions,
  type FaultHandle,
  RequestFaults,
} from '../kube-sim/faults.ts';
import { RequestLog } from '../kube-sim/request-log.ts';
import { requestInfo } from './request-info.ts';

export interface FaultProxy {
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  readonly requestLog: RequestLog;
  failRequests(opts?: FailRequestsOptions): FaultHandle;
  delayRequests(opts: DelayRequestsOptions): FaultHandle;
  /**
   * Ends every open watch stream cleanly now, as the apiserver does when a watch's timeout expires
   * (the simulator's `dropWatches` does the same; a reset socket is an informer *error* instead).
   */
  dropWatches(): number;
  /** Sends the apiserver's `ERROR` 410 Expired event into every open watch, then ends it. */
  expireWatches(): number;
  openWatches(): number;
  stop(): Promise<void>;
}

const EXPIRED = {
  type: 'ERROR',
  object: {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'The resourceVersion for the provided watch is too old.',
    reason: 'Expired',
    code: 410,
  },
};

export async function startFaultProxy(
  target: string,
  tls: { cert: string; key: string },
  seed = 1,
): Promise<FaultProxy> {
  const ca = tls.cert;
  const faults = new RequestFaults(seed);
  const requestLog = new RequestLog();
  const watches = new Map<ServerResponse, IncomingMessage>();
  const upstream = new URL(target);

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const info = requestInfo(req.method ?? 'GET', url);
    const fieldManager = url.searchParams.get('fieldManager') ?? undefined;
    const record = (code: number) =>
      requestLog.record({
        time: Date.now(),
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
        ...(fieldManager ? { fieldManager, manager: fieldManager } : {}),
        ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}),
        ...(info.verb ? { verb: info.verb } : {}),
        ...(info.resource !== undefined
          ? { apiGroup: info.apiGroup ?? '', resource: info.resource }
          : {}),
        ...(info.subresource ? { subresource: info.subresource } : {}),
        ...(info.namespace ? { namespace: info.namespace } : {}),
        ...(info.name ? { name: info.name } : {}),
        code,
      });
    const fate = faults.evaluate(info);
    if (fate.delayMs > 0) await new Promise((r) => setTimeout(r, fate.delayMs));
    if (fate.error) {
      req.resume();
      record(fate.error.code);
      res.writeHead(fate.error.code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(fate.error.status));
      return;
    }
    const up = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
        ca,
      },
      (upRes) => {
        record(upRes.statusCode ?? 502);
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        // A watch's headers must reach the client before its first event (informers wait on them).
        res.flushHeaders();
        if (info.verb === 'watch' && upRes.statusCode === 200) {
          watches.set(res, upRes);
          res.once('close', () => watches.delete(res));
        }
        upRes.pipe(res);
        res.once('close', () => upRes.destroy());
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  };

  const server = createServer(
    { cert: tls.cert, key: tls.key },
    (req, res) => void handle(req, res).catch(() => res.destroy()),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  // Detach upstream first so an injected event never interleaves with a half-written one.
  const each = (fn: (res: ServerResponse) => void) => {
    const all = [...watches];
    watches.clear();
    for (const [res, upRes] of all) {
      upRes.unpipe(res);
      upRes.destroy();
      fn(res);
    }
    return all.length;
  };
  return {
    url: `https://127.0.0.1:${port}`,
    requestLog,
    failRequests: (opts) => faults.failRequests(opts),
    delayRequests: (opts) => faults.delayRequests(opts),
    dropWatches: () => each((res) => res.end()),
    expireWatches: () => each((res) => res.end(`${JSON.stringify(EXPIRED)}\n`)),
    openWatches: () => watches.size,
    stop: () =>
      new Promise((resolve) => {
        for (const res of watches.keys()) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
