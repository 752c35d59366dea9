import type { MikroORM } from '@mikro-orm/postgresql';
import type { Route } from '../app.ts';
import { sendJson } from '../http/respond.ts';
import type { Logger } from '../logger.ts';
import { type MetricsAccessOptions, metricsAccess } from './access.ts';
import { refreshScrapeGauges, registry } from './registry.ts';

/**
 * `GET /metrics` in Prometheus text format, behind `metricsAccess`. A failing database read leaves
 * the DB-derived gauges at their last values and still serves the rest: a scrape that fails outright
 * would hide exactly the metrics needed to diagnose the outage.
 */
export function metricsRoute(
  deps: { orm: MikroORM; logger: Logger },
  access: MetricsAccessOptions,
): Route {
  return async (req, res) => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/metrics') return false;
    const verdict = metricsAccess(req, access);
    if (verdict !== 'ok') {
      if (verdict === 'unauthorized') res.setHeader('www-authenticate', 'Bearer realm="metrics"');
      sendJson(res, verdict === 'unauthorized' ? 401 : 403, {
        code: verdict === 'unauthorized' ? 'UNAUTHENTICATED' : 'FORBIDDEN',
        message: 'Metrics need the METRICS_TOKEN bearer, or a loopback caller when it is unset.',
      });
      return true;
    }
    await refreshScrapeGauges(deps.orm).catch((err) =>
      deps.logger.warn({ err }, 'metrics: database gauges not refreshed'),
    );
    res.writeHead(200, { 'content-type': registry.contentType });
    res.end(await registry.metrics());
    return true;
  };
}
