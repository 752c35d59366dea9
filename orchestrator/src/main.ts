// The orchestrator process (`npm run orchestrator`), or a worker thread inside `npm start`.
// The only orchestrator file that reads the environment, handles signals or exits.
import { isMainThread, parentPort } from 'node:worker_threads';
import { initOrm } from '../../schema/orm-config.ts';
import { parseOrchestratorConfig } from './config.ts';
import { createDriver } from './create-driver.ts';
import { createLogger } from './logger.ts';
import { buildOrchestrator } from './orchestrator.ts';

const config = parseOrchestratorConfig(process.env);
const logger = createLogger(config.LOG_LEVEL, config.LOG_PRETTY ?? process.stdout.isTTY === true);

const orm = await initOrm({
  clientUrl: config.DATABASE_URL,
  poolMax: config.ORCHESTRATOR_WORKERS + 2,
});
const orchestrator = buildOrchestrator({
  orm,
  databaseUrl: config.DATABASE_URL,
  driver: createDriver(config, logger),
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
logger.info({ driver: config.RUNTIME_DRIVER }, 'orchestrator started');

let stopping = false;
async function shutdown(reason: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ reason }, 'orchestrator stopping');
  await orchestrator.stop({ stopRuntimes: config.STOP_RUNTIMES_ON_EXIT });
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
