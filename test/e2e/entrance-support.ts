import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import WebSocket from 'ws';
import { createEntrance, type Entrance } from '../../server/src/edge/entrance.ts';
import { startTestServer, type TestServer } from '../testkit/server.ts';

export interface EntranceServer {
  server: TestServer;
  entrance: Entrance;
  port: number;
  stop(): Promise<void>;
}

/**
 * A test server with the entrance mounted in front of the app, as main.ts does. `startTestServer`
 * has no `routes` option yet, so its request handler is wrapped instead (entrance routes first).
 */
export async function startEntranceServer(env: Record<string, string>): Promise<EntranceServer> {
  const server = await startTestServer({ env });
  const entrance = createEntrance(server.deps, server.listener);
  const http = server.app.server;
  const app = http.listeners('request') as ((...a: unknown[]) => void)[];
  http.removeAllListeners('request');
  http.on('request', async (req, res) => {
    try {
      for (const route of entrance.routes) if (await route(req, res)) return;
      for (const l of app) l.call(http, req, res);
    } catch {
      if (!res.headersSent) res.writeHead(500).end();
    }
  });
  entrance.attach(http);
  const port = Number(new URL(server.url).port);
  return {
    server,
    entrance,
    port,
    async stop() {
      entrance.stop();
      await server.stop();
    },
  };
}

/** A non-loopback IPv4 address of this machine: clients that look remote to Caddy. */
export function externalIPv4(): string | null {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return null;
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** An HTTP request to `ip:port` with an explicit Host (names like `u-alice.localhost` need no DNS). */
export function send(
  ip: string,
  port: number,
  host: string,
  path: string,
  opts: { method?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: ip, port, path, method: opts.method ?? 'GET', headers: { host, ...opts.headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

export type GatewayResult =
  | { kind: 'hello'; payload: { auth: { role: string; scopes: string[] } }; ws: WebSocket }
  | { kind: 'refused'; status: number; body: string }
  | { kind: 'closed'; code: number; reason: string };

/**
 * Opens the gateway WebSocket as the Control UI would (device-less, trusted-proxy identity) and
 * completes the OpenClaw handshake: `connect.challenge` → `connect` → `hello-ok`. The gateway
 * refuses a Control UI whose build differs from its own (`PROTOCOL_MISMATCH`, "reload this page");
 * like the real UI after a reload, the second attempt presents the gateway's build id.
 */
export async function connectGateway(
  ip: string,
  port: number,
  host: string,
  origin: string,
  headers: Record<string, string> = {},
): Promise<GatewayResult> {
  const first = await handshake(ip, port, host, origin, headers);
  if (first.kind !== 'closed' || !first.reason.includes('PROTOCOL_MISMATCH')) return first;
  const buildId = JSON.parse(first.reason).details.gatewayBuildId as string;
  return handshake(ip, port, host, origin, headers, buildId);
}

function handshake(
  ip: string,
  port: number,
  host: string,
  origin: string,
  headers: Record<string, string>,
  buildId?: string,
): Promise<GatewayResult> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${ip}:${port}/`, { headers: { host, ...headers }, origin });
    const timer = setTimeout(() => reject(new Error('gateway handshake timed out')), 20_000);
    const done = (r: GatewayResult) => {
      clearTimeout(timer);
      resolve(r);
    };
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => done({ kind: 'refused', status: res.statusCode ?? 0, body }));
    });
    ws.on('close', (code, reason) => done({ kind: 'closed', code, reason: reason.toString() }));
    ws.on('error', () => {});
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.type === 'event' && frame.event === 'connect.challenge')
        ws.send(JSON.stringify(connectFrame(buildId)));
      if (frame.type === 'res' && frame.id === 'c1') {
        if (frame.ok) done({ kind: 'hello', payload: frame.payload, ws });
        else {
          ws.terminate();
          done({ kind: 'closed', code: 0, reason: JSON.stringify(frame.error) });
        }
      }
    });
  });
}

function connectFrame(buildId?: string) {
  return {
    type: 'req',
    id: 'c1',
    method: 'connect',
    params: {
      minProtocol: 4,
      maxProtocol: 4,
      client: {
        id: 'openclaw-control-ui',
        version: 'test',
        platform: 'linux',
        mode: 'webchat',
        ...(buildId ? { buildId } : {}),
      },
      role: 'operator',
      scopes: ['operator.read', 'operator.write', 'operator.approvals', 'operator.admin'],
      caps: [],
    },
  };
}
