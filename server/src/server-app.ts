import { buildApp } from './app.ts';
import type { AppDeps } from './context.ts';
import type { PgListener } from './db/pg-listener.ts';
import { createEntrance, entranceConfig } from './edge/entrance.ts';
import { ProxyTrust } from './http/proxy-trust.ts';
import { buildModelProxy } from './model-proxy/build.ts';
import { spaRoute } from './spa/spa.ts';

export interface ServerAppOptions {
  /** The built SPA. @default `<repo>/web/dist` */
  spaDir?: string;
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
  const entrance = createEntrance(deps, listener);
  const modelProxy = config.MODEL_PROXY_EMBEDDED ? buildModelProxy(deps) : null;
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
    start: (port: number, host?: string) => app.start(port, host),
    /** Stops taking requests, then the entrance, then flushes the proxy's usage ledger. */
    async stop(): Promise<void> {
      await app.stop();
      entrance.stop();
      await modelProxy?.stop();
    },
  };
}

export type ServerApp = ReturnType<typeof buildServerApp>;
