// The control plane process. The only file that reads the environment, installs signal handlers and
// exits. Under `npm start` (no DATABASE_URL) it also runs embedded PostgreSQL and the orchestrator.
import { Worker } from 'node:worker_threads';
import { migrate } from '../../schema/migrate.ts';
import { initOrm } from '../../schema/orm-config.ts';
import { createAuthenticator } from './auth/authenticator.ts';
import { firstRunSetupUrl } from './auth/first-run.ts';
import { parseConfig } from './config.ts';
import { startEmbeddedPostgres } from './db/embedded-postgres.ts';
import { PgListener } from './db/pg-listener.ts';
import { loadOrCreateSecret } from './db/secret-file.ts';
import { RuntimeEventHub } from './events/runtime-event-hub.ts';
import { createLogger } from './logger.ts';
import { buildServerApp } from './server-app.ts';

const config = parseConfig(process.env);
const pretty = config.LOG_PRETTY ?? process.stdout.isTTY === true;
const logger = createLogger(config.LOG_LEVEL, pretty);
const stops: (() => Promise<unknown>)[] = [];

async function main() {
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgres(config.DATA_DIR);
    stops.unshift(() => pg.stop());
    databaseUrl = pg.url;
    logger.info({ dataDir: config.DATA_DIR }, 'embedded PostgreSQL started');
  }
  const applied = await migrate(databaseUrl);
  if (applied.length) logger.info({ applied }, 'migrations applied');
  const secret = config.CLAWLOOPS_SECRET ?? (await loadOrCreateSecret(config.DATA_DIR));

  const orm = await initOrm({ clientUrl: databaseUrl });
  stops.unshift(() => orm.close());
  const listener = new PgListener(databaseUrl, logger);
  await listener.start();
  stops.unshift(() => listener.stop());
  const hub = new RuntimeEventHub(orm.em, logger);
  await hub.start(listener);
  const authenticator = createAuthenticator({ orm, config, secret, listener, logger });

  const server = buildServerApp({ orm, config, logger, secret, authenticator, hub, listener });
  const port = await server.start(config.PORT, config.HOST);
  stops.unshift(() => server.stop());

  const modelProxyUrl = config.MODEL_PROXY_URL ?? `http://127.0.0.1:${port}/v1`;
  if (config.EMBEDDED_ORCHESTRATOR)
    stops.unshift(startOrchestratorWorker(databaseUrl, secret, modelProxyUrl, config.PUBLIC_URL));

  const base = config.PUBLIC_URL.replace(/:\d+$/, '').replace(/\/$/, '');
  logger.info(`ClawLoops is running at ${base}:${port}  (GraphQL: ${base}:${port}/graphql)`);
  const setupUrl = await firstRunSetupUrl(orm.em.fork(), secret, config.PUBLIC_URL);
  if (setupUrl)
    logger.warn(`No admin exists yet. Create the first admin here (one-time link): ${setupUrl}`);
}

/**
 * The orchestrator runs in this process as a worker thread: same process under `npm start`, yet no
 * import between server/ and orchestrator/ — they meet only in PostgreSQL, exactly as in production
 * where `npm run orchestrator` is its own process.
 */
function startOrchestratorWorker(
  databaseUrl: string,
  secret: string,
  modelProxyUrl: string,
  publicUrl: string,
): () => Promise<void> {
  const worker = new Worker(new URL('../../orchestrator/src/main.ts', import.meta.url), {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      LOG_PRETTY: String(pretty),
      STOP_RUNTIMES_ON_EXIT: process.env.STOP_RUNTIMES_ON_EXIT ?? 'true',
      CLAWLOOPS_SECRET: secret,
      MODEL_PROXY_URL: modelProxyUrl,
      PUBLIC_URL: publicUrl,
    },
  });
  worker.on('error', (err) => logger.error({ err }, 'orchestrator worker failed'));
  return async () => {
    worker.postMessage('stop');
    await new Promise((resolve) => worker.once('exit', resolve));
  };
}

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  for (const stop of stops)
    await stop().catch((err) => logger.error({ err }, 'shutdown step failed'));
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

main().catch(async (err) => {
  logger.fatal({ err }, 'ClawLoops failed to start');
  for (const stop of stops) await stop().catch(() => {});
  process.exit(1);
});
