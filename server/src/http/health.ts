import type { MikroORM } from '@mikro-orm/postgresql';
import type { Route } from '../app.ts';
import { sendJson } from './respond.ts';

/** One readiness dependency: resolves when healthy, throws (or times out) when not. */
export type ReadinessCheck = () => Promise<void>;

/** A check that has not answered within this long counts as failing (probes must not hang). */
const CHECK_TIMEOUT_MS = 2_000;

function withTimeout(check: ReadinessCheck): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
  });
  return Promise.race([check(), timeout]).finally(() => clearTimeout(timer));
}

export function databaseCheck(orm: MikroORM): ReadinessCheck {
  return async () => {
    await orm.em.getConnection().execute('select 1');
  };
}

/**
 * `/livez` (alias `/healthz`): the process serves HTTP; no dependency is consulted, so a database
 * outage never gets a healthy pod restarted. `/readyz`: every check passes, run in parallel; the
 * body names each check `ok` or `failing` (never the error text: probes may be public). Upstream
 * model providers are deliberately not a readiness dependency: one slow provider must not take the
 * whole control plane out of rotation.
 */
export function healthRoute(checks: Record<string, ReadinessCheck>): Route {
  return async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/livez' || path === '/healthz') {
      sendJson(res, 200, { status: 'live' });
      return true;
    }
    if (path !== '/readyz') return false;
    const names = Object.keys(checks);
    const results = await Promise.allSettled(
      names.map((n) => withTimeout(checks[n] as ReadinessCheck)),
    );
    const report: Record<string, 'ok' | 'failing'> = {};
    names.forEach((n, i) => {
      report[n] = results[i]?.status === 'fulfilled' ? 'ok' : 'failing';
    });
    const ready = Object.values(report).every((v) => v === 'ok');
    sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable', checks: report });
    return true;
  };
}
