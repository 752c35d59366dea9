import { ActivityRecorder, type ActivityRecorderOptions } from './activity/activity-recorder.ts';
import { createIdleCuller, type IdleCullerOptions } from './activity/idle-culler.ts';
import { buildApp } from './app.ts';
import type { AppDeps } from './context.ts';
import type { PgListener } from './db/pg-listener.ts';
import { createEntrance, entranceConfig } from './edge/entrance.ts';
import { ProxyTrust } from './http/proxy-trust.ts';
import { buildModelProxy, ormSql } from './model-proxy/build.ts';
import { spaRoute } from './spa/spa.ts';

export interface ServerAppOptions {
  /** The built SPA. @default `<repo>/web/dist` */
  spaDir?: string;
  /** Activity batching (tests: a short flush). @default every 30 s */
  activity?: ActivityRecorderOptions;
  /** Idle culler sweeps (tests: a short interval). @default every 30 s */
  culler?: IdleCullerOptions;
}

/**
 * Everything the control plane serves on its one port, composed once for main.ts and for tests (the
 * tenant-isolation matrix probes exactly this surface): the entrance (`/auth/forward`, the login
 * hand-off, the embedded edge on runtime hosts), the credential proxy under `/v1` when embedded,
 * health, metrics, GraphQL over HTTP/SSE/graphql-ws, and the SPA as the fallback.
 */
export function buildServerApp(
  deps: AppDeps & { listener: PgListener },
  options: ServerAppOptions = {},
) {
  const { config, listener } = deps;
  // Requests through the entrance, edge WebSocket traffic and model calls are runtime activity;
  // the culler stops what stayed idle (activity/auto-stop.ts).
  const activity = new ActivityRecorder(ormSql(deps.orm), deps.logger, options.activity);
  const culler = createIdleCuller(
    { orm: deps.orm, settings: config, logger: deps.logger, recorder: activity },
    options.culler,
  );
  const entrance = createEntrance(deps, listener, { activity });
  const modelProxy = config.MODEL_PROXY_EMBEDDED ? buildModelProxy(deps, { activity }) : null;
  const app = buildApp(deps, {
    routes: [...entrance.routes, ...(modelProxy ? [modelProxy.route] : [])],
    trust: new ProxyTrust(config.TRUSTED_PROXIES),
    fallback: spaRoute({ hosts: entranceConfig(config), dir: options.spaDir }),
    readiness: {
      notifications: async () => {
        if (!listener.connected) throw new Error('LISTEN connection down');
      },
    },
  });
  entrance.attach(app.server);
  return {
    app,
    entrance,
    modelProxy,
    activity,
    culler,
    /** Listens, then starts the activity flush and the idle culler. */
    async start(port: number, host?: string): Promise<number> {
      const bound = await app.start(port, host);
      activity.start();
      culler.start();
      return bound;
    },
    /**
     * Stops taking requests, then the entrance, then flushes the proxy's usage ledger, stops the
     * culler and writes the last activity. The entrance ends the WebSockets it proxies while the
     * server closes: `server.close()` waits for upgraded sockets, which `closeAllConnections()`
     * does not end, so an open Control UI tab would otherwise hold shutdown forever.
     */
    async stop(): Promise<void> {
      const closing = app.stop();
      entrance.stop();
      await closing;
      await modelProxy?.stop();
      await culler.stop();
      await activity.stop();
    },
  };
}

export type ServerApp = ReturnType<typeof buildServerApp>;
