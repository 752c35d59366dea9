import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { type Browser, chromium, type Page } from 'playwright-core';
import { initOrm } from '../../schema/orm-config.ts';
import { type App, buildApp } from '../../server/src/app.ts';
import { createAuthenticator } from '../../server/src/auth/authenticator.ts';
import { parseConfig } from '../../server/src/config.ts';
import type { AppDeps } from '../../server/src/context.ts';
import { PgListener } from '../../server/src/db/pg-listener.ts';
import { createEntrance, type Entrance, entranceConfig } from '../../server/src/edge/entrance.ts';
import { RuntimeEventHub } from '../../server/src/events/runtime-event-hub.ts';
import { ProxyTrust } from '../../server/src/http/proxy-trust.ts';
import { createLogger } from '../../server/src/logger.ts';
import { spaRoute } from '../../server/src/spa/spa.ts';
import type { TestServer } from '../testkit/server.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

/** Builds the SPA into `outDir` with the real production config (vite build). */
export function buildSpa(outDir: string): void {
  execFileSync(
    join(ROOT, 'node_modules/.bin/vite'),
    [
      'build',
      '--config',
      join(ROOT, 'web/vite.config.ts'),
      '--outDir',
      outDir,
      '--logLevel',
      'warn',
    ],
    { stdio: 'inherit', cwd: ROOT },
  );
}

export interface WebServer {
  /** `http://<hostname>:<port>`: the app host the browser uses (runtimes: `u-<name>.<hostname>:<port>`). */
  origin: string;
  /** `http://127.0.0.1:<port>`, for requests from Node (which may not resolve `*.localhost`). */
  local: string;
  port: number;
  deps: AppDeps & { orm: MikroORM };
  /** Shaped like a testkit server, for `seed()`. */
  asTestServer: TestServer;
  /** Stops the HTTP server (every socket dropped), then listens again on the same port. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The control plane exactly as main.ts wires it — entrance routes first, GraphQL, then the SPA as the
 * fallback — listening on a fixed port so that a restart is a real restart: the browser's sockets
 * break and it must find the server again on its own.
 */
export async function startWebServer(opts: {
  databaseUrl: string;
  secret: string;
  port: number;
  distDir: string;
  /** The app's hostname; runtimes are `u-<name>.<hostname>`. @default localhost */
  hostname?: string;
  /** Extra configuration, parsed like the environment. */
  env?: Record<string, string>;
}): Promise<WebServer> {
  const origin = `http://${opts.hostname ?? 'localhost'}:${opts.port}`;
  const config = parseConfig({
    PUBLIC_URL: origin,
    EMBEDDED_ORCHESTRATOR: 'false',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: opts.databaseUrl,
    CLAWLOOPS_SECRET: opts.secret,
    ...opts.env,
  });
  const logger = createLogger(config.LOG_LEVEL, false);
  const orm = await initOrm({ clientUrl: opts.databaseUrl, poolMax: 6 });
  const listener = new PgListener(opts.databaseUrl, logger);
  await listener.start();
  const hub = new RuntimeEventHub(orm.em, logger);
  await hub.start(listener);
  const authenticator = createAuthenticator({ orm, config, secret: opts.secret, listener, logger });
  const deps = { orm, config, logger, secret: opts.secret, authenticator, hub };

  let app: App;
  let entrance: Entrance;
  const listen = async () => {
    entrance = createEntrance(deps, listener);
    app = buildApp(deps, {
      routes: entrance.routes,
      trust: new ProxyTrust(config.TRUSTED_PROXIES),
      fallback: spaRoute({ hosts: entranceConfig(config), dir: opts.distDir }),
    });
    entrance.attach(app.server);
    await app.start(opts.port, '127.0.0.1');
  };
  const close = async () => {
    entrance.stop();
    await app.stop();
  };
  await listen();

  return {
    origin,
    local: `http://127.0.0.1:${opts.port}`,
    port: opts.port,
    deps,
    asTestServer: { deps } as unknown as TestServer,
    async restart(downMs = 1_500) {
      await close();
      await new Promise((r) => setTimeout(r, downMs));
      await listen();
    },
    async stop() {
      await close();
      authenticator.stop();
      await listener.stop();
      await orm.close();
    },
  };
}

/** Debian's Chromium; the flags stop it from hanging on background connections in a closed network. */
export const CHROMIUM = '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export const SCREENSHOTS = join(ROOT, '.artifacts/screenshots');

export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 375, height: 740 },
} as const;

/** Full-page screenshots at desktop and phone width: `.artifacts/screenshots/<name>-{desktop,phone}.png`. */
export async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const original = page.viewportSize();
  for (const [label, size] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(size);
    await page.waitForTimeout(100);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${label}.png`), fullPage: true });
  }
  if (original) await page.setViewportSize(original);
}
