// The credential proxy as its own process (Kubernetes: one Deployment next to the server; runtimes
// reach it at MODEL_PROXY_URL). Needs DATABASE_URL and the same CLAWLOOPS_SECRET/MODEL_CREDENTIAL_KEY
// as the server. Serves /v1/* plus /livez and /readyz on MODEL_PROXY_PORT.
import { createServer } from 'node:http';
import { initOrm } from '../../../schema/orm-config.ts';
import { parseConfig } from '../config.ts';
import { PgListener } from '../db/pg-listener.ts';
import { createLogger } from '../logger.ts';
import { buildModelProxy } from './build.ts';

const config = parseConfig(process.env);
const logger = createLogger(config.LOG_LEVEL, config.LOG_PRETTY ?? process.stdout.isTTY === true);
if (!config.DATABASE_URL || !config.CLAWLOOPS_SECRET) {
  logger.fatal('DATABASE_URL and CLAWLOOPS_SECRET are required');
  process.exit(2);
}
const orm = await initOrm({ clientUrl: config.DATABASE_URL });
const listener = new PgListener(config.DATABASE_URL, logger);
await listener.start();
const proxy = buildModelProxy({ orm, listener, logger, secret: config.CLAWLOOPS_SECRET, config });
const server = createServer(async (req, res) => {
  if (await proxy.route(req, res)) return;
  const ok = req.url === '/livez' || req.url === '/readyz';
  res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' }).end(`{"ok":${ok}}`);
});
server.listen(config.MODEL_PROXY_PORT, config.HOST, () =>
  logger.info({ port: config.MODEL_PROXY_PORT }, 'model proxy listening'),
);

async function shutdown(signal: string) {
  logger.info({ signal }, 'model proxy stopping');
  server.close();
  server.closeAllConnections();
  await proxy.stop();
  await listener.stop();
  await orm.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
