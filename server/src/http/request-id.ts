import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProxyTrust } from './proxy-trust.ts';

/** Request and response header carrying the id. */
export const REQUEST_ID_HEADER = 'x-request-id';

const store = new AsyncLocalStorage<string>();

/** What a proxy may send as an id: short, printable, nothing that could forge a log line. */
const SAFE_ID = /^[\w.:@/+=-]{1,128}$/;

/**
 * The id of one HTTP request: a trusted proxy's `X-Request-Id` (so one id follows a request through
 * Traefik and us), else a fresh UUID. Anyone else's header is ignored, as for `X-Forwarded-For`.
 */
export function requestIdOf(req: IncomingMessage, trust: ProxyTrust): string {
  const given = req.headers[REQUEST_ID_HEADER];
  const value = Array.isArray(given) ? given[0] : given;
  if (value && SAFE_ID.test(value) && trust.trusts(req.socket.remoteAddress)) return value;
  return randomUUID();
}

/** Runs `fn` with `id` as the current request id: every log line written meanwhile carries it. */
export function withRequestId<T>(id: string, fn: () => T): T {
  return store.run(id, fn);
}

/**
 * Gives the request its id (answered in `X-Request-Id`) and runs the handler under it. Returns the
 * handler's result.
 */
export function handleWithRequestId<T>(
  req: IncomingMessage,
  res: ServerResponse,
  trust: ProxyTrust,
  fn: () => T,
): T {
  const id = requestIdOf(req, trust);
  res.setHeader(REQUEST_ID_HEADER, id);
  return withRequestId(id, fn);
}

/** pino `mixin`: `{ reqId }` inside a request, nothing outside one. */
export function requestLogFields(): { reqId?: string } {
  const id = store.getStore();
  return id ? { reqId: id } : {};
}
