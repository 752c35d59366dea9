import { Agent, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { createProxyServer } from 'http-proxy-3';
import { IDENTITY_HEADER } from '../../../schema/domain/identity.ts';
import type { ActivitySink } from '../activity/activity-recorder.ts';
import type { Route } from '../app.ts';
import { directFacts } from '../forward-auth/facts.ts';
import type { Evaluation, Gate } from '../forward-auth/gate.ts';
import { classifyHost } from '../forward-auth/host.ts';
import { refuseUpgrade, sendDecision } from '../forward-auth/respond.ts';
import type { ProxyTrust } from '../http/proxy-trust.ts';
import type { Logger } from '../logger.ts';
import { upstreamHeaders } from './upstream-headers.ts';

export interface EdgeOptions {
  gate: Gate;
  /** Proxies in front of the server whose X-Forwarded-Proto/-For are believed. */
  trust: ProxyTrust;
  /** Header the gateway reads the user from; the renderer's `identityHeader`. @default 'x-clawloops-user' */
  identityHeader?: string;
  /** Called when a runtime's endpoint refused a connection, so its route is re-read. */
  onUnreachable?: (runtimeId: string) => void;
  logger: Pick<Logger, 'warn'>;
  /**
   * Bytes a client sends on a proxied WebSocket are activity (the gate already counts the upgrade).
   * Only what the client sends: the gateway's own ticks to an unattended tab are not. @default none
   */
  activity?: ActivitySink;
}

/**
 * The embedded default entrance (no Traefik): the server itself answers runtime hosts
 * (`u-<label>.<runtime domain>`), runs the same gate as `/auth/forward`, and proxies HTTP and
 * WebSocket upgrades to the runtime's gateway with identity headers it sets itself. Other hosts fall
 * through to the app.
 */
export function createEdge(opts: EdgeOptions) {
  const identityHeader = opts.identityHeader ?? IDENTITY_HEADER;
  const { gate } = opts;
  const origin = gate.config.publicOrigin;
  const agent = new Agent({ keepAlive: true, maxFreeSockets: 64 });
  // No xfwd: the edge writes X-Forwarded-* itself (upstreamHeaders); the library would append.
  const proxy = createProxyServer({ xfwd: false, ws: true, agent });
  proxy.on('error', (err, req, target) => {
    const runtimeId = (req as Tagged).clawloopsRuntimeId;
    opts.logger.warn({ err: err.message, runtimeId }, 'runtime unreachable through the edge');
    if (runtimeId) opts.onUnreachable?.(runtimeId);
    if ('writeHead' in target && !target.headersSent) {
      const res = target as ServerResponse;
      res.writeHead(502, {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
      });
      res.end(
        JSON.stringify({
          code: 'runtime_unreachable',
          message: 'The runtime did not answer; retry shortly.',
        }),
      );
    } else (target as Duplex).destroy();
  });

  /** Runtime hosts (and unknown names under the runtime domain) belong to the edge. */
  function owns(req: IncomingMessage): boolean {
    const kind = classifyHost(req.headers.host, gate.config).kind;
    return kind === 'runtime' || kind === 'unknown';
  }

  async function admit(req: IncomingMessage): Promise<Evaluation & { target?: string }> {
    const facts = directFacts(req, opts.trust);
    const ev = await gate.evaluate(facts);
    if (!ev.decision.allow || !ev.runtime?.endpoint) return ev;
    req.headers = upstreamHeaders(req.headers, {
      identity: ev.decision.headers,
      identityHeader,
      proto: facts.proto ?? 'http',
      host: facts.host ?? '',
      clientIp: facts.ip,
    });
    (req as Tagged).clawloopsRuntimeId = ev.runtime.runtimeId;
    return { ...ev, target: ev.runtime.endpoint };
  }

  const route: Route = async (req, res) => {
    if (!owns(req)) return false;
    const ev = await admit(req);
    if (!ev.target || !ev.decision.allow) sendDecision(res, ev.decision, origin);
    else proxy.web(req, res, { target: ev.target });
    return true;
  };

  // Open WebSockets by credential, so a logout or a disabled account ends them too (a proxy in
  // front of /auth/forward can only refuse the next upgrade).
  const open = new Map<Duplex, { userId: string; sessionId: string | null }>();

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const ev = await admit(req);
    if (ev.decision.allow && ev.target && ev.viewer) {
      open.set(socket, { userId: ev.viewer.userId, sessionId: ev.viewer.sessionId ?? null });
      socket.once('close', () => open.delete(socket));
      const { activity } = opts;
      const runtimeId = (req as Tagged).clawloopsRuntimeId;
      if (activity && runtimeId) socket.on('data', () => activity.touch(runtimeId));
      proxy.ws(req, socket, head, { target: ev.target });
    } else if (!ev.decision.allow) refuseUpgrade(socket, ev.decision, origin);
    else socket.destroy();
  }

  /** Ends the WebSockets of a revoked credential: `session:<id>` or `user:<id>` (auth channel keys). */
  function cut(key: string): void {
    const [kind, id] = key.split(':', 2);
    for (const [socket, who] of open) {
      if ((kind === 'session' && who.sessionId === id) || (kind === 'user' && who.userId === id))
        socket.destroy();
    }
  }

  return {
    route,
    cut,
    /** Number of WebSockets currently proxied (observability and tests). */
    get openSockets(): number {
      return open.size;
    },
    /**
     * Puts the edge in front of the server's existing `upgrade` listeners (graphql-ws), which
     * otherwise would also see runtime-host upgrades on `/graphql`. Call once after `buildApp`.
     */
    attach(server: Server): void {
      const previous = server.listeners('upgrade') as ((...a: unknown[]) => void)[];
      server.removeAllListeners('upgrade');
      server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        if (owns(req)) void upgrade(req, socket, head).catch(() => socket.destroy());
        else for (const l of previous) l.call(server, req, socket, head);
      });
    },
    close(): void {
      for (const socket of open.keys()) socket.destroy();
      proxy.close();
      agent.destroy();
    },
  };
}

type Tagged = IncomingMessage & { clawloopsRuntimeId?: string };
