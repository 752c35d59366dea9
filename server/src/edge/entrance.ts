import { CHANNELS } from '../../../schema/domain/channels.ts';
import type { ActivitySink } from '../activity/activity-recorder.ts';
import type { Route } from '../app.ts';
import { HandoffStore } from '../auth/runtime-handoff-store.ts';
import type { Viewer } from '../auth/viewer.ts';
import type { Config } from '../config.ts';
import type { AppDeps } from '../context.ts';
import type { PgListener } from '../db/pg-listener.ts';
import type { DecideConfig } from '../forward-auth/decide.ts';
import { createGate } from '../forward-auth/gate.ts';
import { normalizeDomain } from '../forward-auth/host.ts';
import { type OutcomeOptions, Outcomes } from '../forward-auth/outcomes.ts';
import { forwardAuthRoute } from '../forward-auth/route.ts';
import { ProxyTrust } from '../http/proxy-trust.ts';
import { auditNow } from '../services/audit.ts';
import { RuntimeRouting } from '../services/runtime-routing.ts';
import { createEdge } from './edge.ts';
import { handoffRoutes } from './handoff-routes.ts';

export interface EntranceOptions {
  /** Header the gateways read the user from (the renderer's default). @default 'x-clawloops-user' */
  identityHeader?: string;
  /** Audit rate limiting. @default one row per (viewer, host, reason) per minute */
  audit?: OutcomeOptions;
  /** Where requests let through to a runtime, and WebSocket traffic, count as activity. @default none */
  activity?: ActivitySink;
}

/** The entrance policy inputs from configuration (PUBLIC_URL, RUNTIME_BASE_DOMAIN, admin flag). */
export function entranceConfig(
  config: Pick<Config, 'PUBLIC_URL' | 'RUNTIME_BASE_DOMAIN' | 'ADMIN_RUNTIME_ACCESS'>,
): DecideConfig {
  const url = new URL(config.PUBLIC_URL);
  return {
    publicOrigin: url.origin,
    appHosts: [url.hostname.toLowerCase()],
    runtimeDomain: normalizeDomain(config.RUNTIME_BASE_DOMAIN ?? url.hostname),
    adminAccess: config.ADMIN_RUNTIME_ACCESS,
  };
}

/**
 * Everything in front of the runtimes, wired once: the routing cache (fed by the event hub and the
 * auth channel), the gate, `GET /auth/forward` and the embedded edge. Usage in main.ts:
 * `buildApp(deps, { routes: entrance.routes })`, then `entrance.attach(app.server)`.
 */
export function createEntrance(deps: AppDeps, listener: PgListener, options: EntranceOptions = {}) {
  const conn = deps.orm.em.getConnection();
  const routing = new RuntimeRouting((sql, params) => conn.execute(sql, params));
  const detach = routing.attach(deps.hub, listener);
  const trust = new ProxyTrust(deps.config.TRUSTED_PROXIES);
  const outcomes = new Outcomes(async (who, entry) => {
    const src = { viewer: who.viewer as Viewer | null, ip: who.ip, em: deps.orm.em.fork() };
    await auditNow(src, entry).catch((err) => deps.logger.warn({ err }, 'entrance audit failed'));
  }, options.audit);
  const gate = createGate({
    authenticator: deps.authenticator,
    routing,
    config: entranceConfig(deps.config),
    outcomes,
    logger: deps.logger,
    activity: options.activity,
  });
  const edge = createEdge({
    gate,
    trust,
    identityHeader: options.identityHeader,
    onUnreachable: (id) => routing.invalidateRuntime(id),
    logger: deps.logger,
    activity: options.activity,
  });
  const offCut = listener.on(CHANNELS.authInvalidate, (key) => edge.cut(key));
  const handoff = handoffRoutes({
    gate,
    trust,
    authenticator: deps.authenticator,
    routing,
    store: new HandoffStore((sql, params) => conn.execute(sql, params)),
    secret: deps.secret,
    logger: deps.logger,
  });
  // The hand-off before the edge: `/__clawloops/*` on a runtime host is ours, never the runtime's.
  const routes: Route[] = [forwardAuthRoute(gate, trust), ...handoff, edge.route];
  return {
    routes,
    attach: edge.attach,
    gate,
    routing,
    edge,
    counters: outcomes.counters,
    stop(): void {
      detach();
      offCut();
      edge.close();
    },
  };
}

export type Entrance = ReturnType<typeof createEntrance>;
