// The credential proxy as its own process (Kubernetes: one Deployment next to the server; runtimes
// reach it at MODEL_PROXY_URL). Needs DATABASE_URL and the same CLAWLOOPS_SECRET/MODEL_CREDENTIAL_KEY
// as the server. Serves /v1/*, /livez, /readyz (database and LISTEN connection; never the upstreams)
// and /metrics (same access rule as the server's) on MODEL_PROXY_PORT.
import { createServer } from 'node:http';
import { initOrm } from '../../../schema/orm-config.ts';
import { ActivityRecorder } from '../activity/activity-recorder.ts';
import { parseConfig } from '../config.ts';
import { PgListener } from '../db/pg-listener.ts';
import { databaseCheck, healthRoute } from '../http/health.ts';
import { ProxyTrust } from '../http/proxy-trust.ts';
import { handleWithRequestId } from '../http/request-id.ts';
import { createLogger } from '../logger.ts';
import { metricsRoute } from '../metrics/route.ts';
import { buildModelProxy, ormSql } from './build.ts';

const config = parseConfig(process.env);
const logger = createLogger(config.LOG_LEVEL, config.LOG_PRETTY ?? process.stdout.isTTY === true);
if (!config.DATABASE_URL || !config.CLAWLOOPS_SECRET) {
  logger.fatal('DATABASE_URL and CLAWLOOPS_SECRET are required');
  process.exit(2);
}
const orm = await initOrm({ clientUrl: config.DATABASE_URL });
const listener = new PgListener(config.DATABASE_URL, logger);
await listener.start();
// Model calls are runtime activity (idle culling); the server's culler reads what this writes.
const activity = new ActivityRecorder(ormSql(orm), logger);
activity.start();
const proxy = buildModelProxy(
  { orm, listener, logger, secret: config.CLAWLOOPS_SECRET, config },
  { activity },
);
const health = healthRoute({
  database: databaseCheck(orm),
  notifications: async () => {
    if (!listener.connected) throw new Error('LISTEN connection down');
  },
});
const trust = new ProxyTrust(config.TRUSTED_PROXIES);
const metrics = metricsRoute({ orm, logger }, { token: config.METRICS_TOKEN, trust });
const server = createServer((req, res) =>
  handleWithRequestId(req, res, trust, async () => {
    if (await proxy.route(req, res)) return;
    if ((await health(req, res)) || (await metrics(req, res))) return;
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"ok":false}');
  }),
);
server.listen(config.MODEL_PROXY_PORT, config.HOST, () =>
  logger.info({ port: config.MODEL_PROXY_PORT }, 'model proxy listening'),
);

async function shutdown(signal: string) {
  logger.info({ signal }, 'model proxy stopping');
  server.close();
  server.closeAllConnections();
  await proxy.stop();
  await activity.stop();
  await listener.stop();
  await orm.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
