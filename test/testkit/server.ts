import { randomBytes } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { initOrm } from '../../schema/orm-config.ts';
import { type App, buildApp } from '../../server/src/app.ts';
import {
  type ClawAuthenticator,
  createAuthenticator,
} from '../../server/src/auth/authenticator.ts';
import type { LoginThrottleOptions } from '../../server/src/auth/rate-limit.ts';
import { type Config, parseConfig } from '../../server/src/config.ts';
import type { AppDeps } from '../../server/src/context.ts';
import { PgListener } from '../../server/src/db/pg-listener.ts';
import { RuntimeEventHub } from '../../server/src/events/runtime-event-hub.ts';
import { createLogger, type DestinationStream } from '../../server/src/logger.ts';
import { buildServerApp, type ServerApp } from '../../server/src/server-app.ts';
import { createTestDatabase } from './database.ts';

/** The secret every test server in this worker shares (so a second "process" accepts the same cookies). */
export const SERVER_TEST_SECRET = randomBytes(32).toString('base64url');

export interface TestServerOptions {
  /** Run on this database — e.g. another test server's, to act as a second server process. @default a fresh `createTestDatabase()` */
  databaseUrl?: string;
  /** Environment-style config overrides (`{ COOKIE_SECURE: 'true' }`), parsed like production. */
  env?: Record<string, string>;
  /** @default SERVER_TEST_SECRET */
  secret?: string;
  /** Login throttle limits. @default production limits */
  throttle?: LoginThrottleOptions;
  /**
   * Where the server's JSON log lines go (e.g. `captureLogs()` of secret-scan.ts), at `LOG_LEVEL`
   * (set it in `env`). @default stdout
   */
  logStream?: DestinationStream;
  /**
   * Serve everything main.ts serves (`buildServerApp`: entrance, edge, credential proxy, SPA) rather
   * than the bare `buildApp`. The SPA is read from `spaDir`. @default false
   */
  full?: boolean | { spaDir?: string };
}

export interface TestServer {
  /** `http://127.0.0.1:<port>/graphql` */
  url: string;
  /** `ws://127.0.0.1:<port>/graphql` */
  wsUrl: string;
  databaseUrl: string;
  deps: AppDeps & { authenticator: ClawAuthenticator; orm: MikroORM; config: Config };
  app: App;
  /** Set when started with `full`: the entrance and the embedded credential proxy. */
  serverApp: ServerApp | null;
  listener: PgListener;
  stop(): Promise<void>;
}

/**
 * A real control-plane server — MikroORM, LISTEN connection, event hub, authenticator, `buildApp` —
 * listening on 127.0.0.1 on a free port. Each call is an independent "process" (own caches, own
 * LISTEN connection); pass `databaseUrl` to run several against one database.
 */
export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const databaseUrl = opts.databaseUrl ?? (await createTestDatabase());
  const secret = opts.secret ?? SERVER_TEST_SECRET;
  const config = parseConfig({
    PUBLIC_URL: 'http://localhost:8080',
    EMBEDDED_ORCHESTRATOR: 'false',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: databaseUrl,
    CLAWLOOPS_SECRET: secret,
    ...opts.env,
  });
  const logger = createLogger(config.LOG_LEVEL, false, opts.logStream);
  const orm = await initOrm({ clientUrl: databaseUrl, poolMax: 5 });
  const listener = new PgListener(databaseUrl, logger);
  await listener.start();
  const hub = new RuntimeEventHub(orm.em, logger);
  await hub.start(listener);
  const authenticator = createAuthenticator({
    orm,
    config,
    secret,
    listener,
    logger,
    throttle: opts.throttle,
  });
  const deps = { orm, config, logger, secret, authenticator, hub };
  const spaDir = typeof opts.full === 'object' ? opts.full.spaDir : undefined;
  const serverApp = opts.full ? buildServerApp({ ...deps, listener }, { spaDir }) : null;
  const app = serverApp?.app ?? buildApp(deps);
  const port = await app.start(0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    databaseUrl,
    deps,
    app,
    serverApp,
    listener,
    async stop() {
      if (serverApp) await serverApp.stop();
      else await app.stop();
      authenticator.stop();
      await listener.stop();
      await orm.close();
    },
  };
}
