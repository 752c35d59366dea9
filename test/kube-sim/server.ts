/**
 * The HTTP front: bearer-token check, routing, optional authorization hook (403), fault injection,
 * request logging, and Status bodies for every failure. Always answers application/json.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { RequestFaults } from './faults.ts';
import { handle, type ResourceRequest, selectorsOf } from './handlers.ts';
import type { Objects } from './objects.ts';
import { PATCH_TYPES } from './patch.ts';
import type { RequestLog, RequestLogEntry } from './request-log.ts';
import { parsePath, type Route, type Verb, verbOf } from './router.ts';
import { methodNotAllowed, type Status, StatusError, unauthorized } from './status.ts';
import { serveWatch, type WatchRegistry } from './watch.ts';

/** What an authorization hook sees: the attributes of a real SubjectAccessReview. */
export interface RequestAttributes {
  verb: Verb;
  apiGroup: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface ServerDeps {
  objects: Objects;
  faults: RequestFaults;
  log: RequestLog;
  watches: WatchRegistry;
  token: string | undefined;
  authorize: ((attrs: RequestAttributes) => boolean) | undefined;
  bookmarkIntervalMs: () => number;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  };
  if (code === 429) headers['Retry-After'] = 1;
  res.writeHead(code, headers);
  res.end(text);
}

function failure(e: unknown): Status {
  if (e instanceof StatusError) return e.status;
  return new StatusError(
    500,
    'InternalError',
    `Internal error occurred: ${(e as Error)?.message ?? String(e)}`,
  ).status;
}

/** Default manager for non-apply writes: the User-Agent up to the first "/", as the real server does. */
function managerFrom(req: IncomingMessage, query: URLSearchParams, contentType: string): string {
  const explicit = query.get('fieldManager');
  if (explicit !== null) return explicit;
  if (contentType.startsWith(PATCH_TYPES.apply)) return '';
  return (req.headers['user-agent'] ?? 'unknown').split('/')[0] ?? 'unknown';
}

function logEntry(
  req: IncomingMessage,
  url: URL,
  route: Route,
  verb: Verb | undefined,
): RequestLogEntry {
  const entry: RequestLogEntry = {
    time: Date.now(),
    method: req.method ?? '',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    code: 0,
  };
  const ct = req.headers['content-type'];
  if (ct) entry.contentType = ct;
  const fm = url.searchParams.get('fieldManager');
  if (fm !== null) entry.fieldManager = fm;
  if (req.headers['user-agent']) entry.userAgent = req.headers['user-agent'];
  if (route.type === 'resource' && verb) {
    Object.assign(entry, { verb, apiGroup: route.rt.group, resource: route.rt.plural });
    if (route.subresource) entry.subresource = route.subresource;
    if (route.namespace !== undefined) entry.namespace = route.namespace;
    if (route.name !== undefined) entry.name = route.name;
  }
  return entry;
}

async function serve(
  deps: ServerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  address: string,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sim');
  const route = parsePath(url.pathname, address);
  const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
  const verb = verbOf(req.method ?? 'GET', route, watch);
  const entry = logEntry(req, url, route, verb);
  deps.log.record(entry);
  const reply = (code: number, body: unknown) => {
    entry.code = code;
    send(res, code, body);
  };
  try {
    const body = await readBody(req);
    if (deps.token !== undefined && req.headers.authorization !== `Bearer ${deps.token}`)
      throw unauthorized();
    if (route.type === 'notFound')
      throw new StatusError(
        404,
        'NotFound',
        'the server could not find the requested resource',
        {},
      );
    if (route.type === 'discovery') return reply(200, route.body);
    if (!verb) throw methodNotAllowed();
    const attrs: RequestAttributes = { verb, apiGroup: route.rt.group, resource: route.rt.plural };
    for (const k of ['subresource', 'namespace', 'name'] as const)
      if (route[k] !== undefined) attrs[k] = route[k];
    if (deps.authorize && !deps.authorize(attrs)) {
      const where = route.namespace
        ? ` in the namespace "${route.namespace}"`
        : ' at the cluster scope';
      const message = `${route.rt.plural}${route.rt.group ? `.${route.rt.group}` : ''}${route.name ? ` "${route.name}"` : ''} is forbidden: User "kube-sim" cannot ${verb} resource "${route.rt.plural}" in API group "${route.rt.group}"${where}`;
      throw new StatusError(403, 'Forbidden', message, {
        name: route.name ?? '',
        group: route.rt.group || undefined,
        kind: route.rt.plural,
      });
    }
    const fault = deps.faults.evaluate({
      path: url.pathname,
      verb,
      resource: route.rt.plural,
      namespace: route.namespace,
    });
    if (fault.delayMs > 0) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault.error) throw fault.error;
    const contentType = req.headers['content-type'] ?? '';
    if (verb === 'watch') {
      const { labels, fields } = selectorsOf(route.rt, url.searchParams);
      const timeout = url.searchParams.get('timeoutSeconds');
      entry.code = 200;
      return serveWatch(
        res,
        {
          rt: route.rt,
          namespace: route.namespace,
          labels,
          fields,
          resourceVersion: url.searchParams.get('resourceVersion') ?? undefined,
          allowBookmarks: url.searchParams.get('allowWatchBookmarks') === 'true',
          timeoutSeconds: timeout === null ? undefined : Number(timeout),
        },
        deps.objects.store,
        deps.watches,
        { bookmarkIntervalMs: deps.bookmarkIntervalMs() },
      );
    }
    const request: ResourceRequest = {
      verb,
      rt: route.rt,
      query: url.searchParams,
      contentType,
      body,
      manager: managerFrom(req, url.searchParams, contentType),
    };
    for (const k of ['subresource', 'namespace', 'name'] as const)
      if (route[k] !== undefined) request[k] = route[k];
    if (verb !== 'get' && verb !== 'list') entry.manager = request.manager;
    const result = handle(deps.objects, request);
    reply(result.code, result.body);
  } catch (e) {
    const status = failure(e);
    reply(status.code, status);
  }
}

export async function startServer(
  deps: ServerDeps,
  port: number,
): Promise<{ server: Server; url: string }> {
  let address = '';
  const server = createServer((req, res) => {
    void serve(deps, req, res, address);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const info = server.address();
  if (info === null || typeof info === 'string')
    throw new Error('kube-sim: server has no TCP address');
  address = `127.0.0.1:${info.port}`;
  return { server, url: `http://${address}` };
}
