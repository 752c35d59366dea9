// The orchestrator process (`npm run orchestrator`), or a worker thread inside `npm start`.
// The only orchestrator file that reads the environment, handles signals or exits.
import { isMainThread, parentPort } from 'node:worker_threads';
import { initOrm } from '../../schema/orm-config.ts';
import { parseOrchestratorConfig } from './config.ts';
import { createDriver } from './create-driver.ts';
import { createLogger } from './logger.ts';
import { startOpsServer } from './ops-server.ts';
import { buildOrchestrator } from './orchestrator.ts';

const config = parseOrchestratorConfig(process.env);
const logger = createLogger(config.LOG_LEVEL, config.LOG_PRETTY ?? process.stdout.isTTY === true);

const orm = await initOrm({
  clientUrl: config.DATABASE_URL,
  poolMax: config.ORCHESTRATOR_WORKERS + 2,
});
const driver = createDriver(config, logger);
const orchestrator = buildOrchestrator({
  orm,
  databaseUrl: config.DATABASE_URL,
  driver,
  logger,
  target: {
    secret: config.CLAWLOOPS_SECRET,
    publicUrl: config.PUBLIC_URL,
    baseDomain: config.RUNTIME_BASE_DOMAIN,
    modelProxyUrl: config.MODEL_PROXY_URL,
  },
  controller: {
    workers: config.ORCHESTRATOR_WORKERS,
    maxConcurrentStarts: config.MAX_CONCURRENT_STARTS,
  },
});
await orchestrator.start();
// A busy port must not take reconciling down with it (two `npm start`s on one host): log and go on.
const ops = await startOpsServer({
  orm,
  driver,
  orchestrator,
  logger,
  token: config.METRICS_TOKEN,
  port: config.ORCHESTRATOR_METRICS_PORT,
  host: config.ORCHESTRATOR_METRICS_HOST,
}).catch((err) => {
  logger.error({ err, port: config.ORCHESTRATOR_METRICS_PORT }, 'metrics/health port not served');
  return null;
});
logger.info(
  { driver: config.RUNTIME_DRIVER, opsPort: ops?.port ?? null },
  'orchestrator started (metrics, livez, readyz on opsPort)',
);

let stopping = false;
async function shutdown(reason: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ reason }, 'orchestrator stopping');
  await orchestrator.stop({ stopRuntimes: config.STOP_RUNTIMES_ON_EXIT });
  await ops?.stop();
  await orm.close();
  if (isMainThread) process.exit(0);
  else parentPort?.close();
}
if (isMainThread) {
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
} else {
  parentPort?.on('message', (m) => m === 'stop' && void shutdown('parent'));
}
