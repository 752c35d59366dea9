/**
 * A transparent proxy in front of the Kubernetes simulator, one per orchestrator replica, so every
 * API request can be attributed to the replica that sent it (all replicas share one identity, one
 * field manager and one User-Agent, which the simulator's own request log cannot tell apart).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { KubeConfig } from '@kubernetes/client-node';
import { createProxyServer } from 'http-proxy-3';

export interface TapEntry {
  replica: string;
  /** Arrival at the proxy (epoch ms). */
  time: number;
  method: string;
  path: string;
}

export interface KubeTap {
  /** A KubeConfig for the simulator that goes through this tap. */
  kubeConfig(namespace: string): KubeConfig;
  stop(): Promise<void>;
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const isWrite = (e: TapEntry) => !READS.has(e.method);

export async function startKubeTap(opts: {
  target: string;
  token: string | undefined;
  replica: string;
  log: TapEntry[];
}): Promise<KubeTap> {
  const proxy = createProxyServer({ target: opts.target, selfHandleResponse: true });
  proxy.on('proxyRes', (proxyRes, _req, res) => {
    res.writeHead(proxyRes.statusCode ?? 502, proxyRes.headers);
    // A watch's headers go out at once, as the apiserver sends them: the client waits for them, and
    // a quiet watch may send no event for a long time.
    res.flushHeaders();
    proxyRes.pipe(res);
  });
  // A SIGKILLed replica leaves its requests half-done: end them quietly.
  proxy.on('error', (_err, _req, res) => {
    if ('writeHead' in res && !res.headersSent) (res as ServerResponse).writeHead(502).end();
    else (res as Duplex).destroy();
  });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://tap');
    opts.log.push({
      replica: opts.replica,
      time: Date.now(),
      method: req.method ?? 'GET',
      path: url.pathname,
    });
    proxy.web(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    kubeConfig(namespace) {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'tap', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
        users: [opts.token === undefined ? { name: 'tap' } : { name: 'tap', token: opts.token }],
        contexts: [{ name: 'tap', cluster: 'tap', user: 'tap', namespace }],
        currentContext: 'tap',
      });
      return kc;
    },
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      proxy.close();
    },
  };
}
