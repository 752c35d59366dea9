/** Verb handlers: turn a parsed resource request into a store operation and a response body. */
import { type DeleteOptions, deleteObject, deleteResponse } from './deletion.ts';
import type { Objects, WriteOptions } from './objects.ts';
import { patchObject } from './patch.ts';
import { apiVersionOf, type ResourceType } from './resources.ts';
import type { Verb } from './router.ts';
import {
  checkFieldSelector,
  matchFields,
  matchLabels,
  parseFieldSelector,
  parseLabelSelector,
} from './selectors.ts';
import { badRequest, expired, methodNotAllowed, StatusError } from './status.ts';
import { isPlainObject, type KubeObject } from './types.ts';

export interface ResourceRequest {
  verb: Verb;
  rt: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
  query: URLSearchParams;
  contentType: string;
  body: string;
  /** fieldManager query parameter, or the User-Agent product name for non-apply writes. */
  manager: string;
}

export interface HandlerResult {
  code: number;
  body: unknown;
}

export function selectorsOf(rt: ResourceType, query: URLSearchParams) {
  try {
    const fields = parseFieldSelector(query.get('fieldSelector'));
    checkFieldSelector(rt.kind, fields);
    return { labels: parseLabelSelector(query.get('labelSelector')), fields };
  } catch (e) {
    throw badRequest((e as Error).message);
  }
}

function listObjects(objects: Objects, req: ResourceRequest): KubeObject[] {
  const { labels, fields } = selectorsOf(req.rt, req.query);
  return objects.store
    .list(req.rt, req.namespace)
    .filter((o) => matchLabels(labels, o.metadata.labels) && matchFields(fields, o));
}

interface ContinueToken {
  rv: number;
  start: string;
}

/** Paging serves the current state after the last key (real servers serve the snapshot at `rv`). */
function list(objects: Objects, req: ResourceRequest): HandlerResult {
  const store = objects.store;
  const limit = Number(req.query.get('limit') ?? '0');
  const token = req.query.get('continue');
  let items = listObjects(objects, req);
  if (token) {
    let parsed: ContinueToken;
    try {
      parsed = JSON.parse(Buffer.from(token, 'base64url').toString()) as ContinueToken;
    } catch {
      throw badRequest('continue key is not valid: illegal base64 data');
    }
    if (parsed.rv < store.compactedRv) {
      throw expired(
        'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
      );
    }
    items = items.filter((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}` > parsed.start);
  }
  const metadata: Record<string, unknown> = { resourceVersion: String(store.resourceVersion) };
  if (limit > 0 && items.length > limit) {
    const last = items[limit - 1] as KubeObject;
    const next: ContinueToken = {
      rv: store.resourceVersion,
      start: `${last.metadata.namespace ?? ''}/${last.metadata.name}`,
    };
    metadata.continue = Buffer.from(JSON.stringify(next)).toString('base64url');
    metadata.remainingItemCount = items.length - limit;
    items = items.slice(0, limit);
  }
  // Built-in list items carry no kind/apiVersion on the wire; custom resources keep them.
  const wire = req.rt.custom ? items : items.map(({ kind: _k, apiVersion: _a, ...rest }) => rest);
  return {
    code: 200,
    body: { kind: `${req.rt.kind}List`, apiVersion: apiVersionOf(req.rt), metadata, items: wire },
  };
}

function parseBody(body: string): unknown {
  if (body.trim() === '') return undefined;
  try {
    return JSON.parse(body);
  } catch (e) {
    throw badRequest(`error decoding body: ${(e as Error).message}`);
  }
}

function deleteOptions(query: URLSearchParams, body: string): DeleteOptions {
  const parsed = parseBody(body);
  const opts: DeleteOptions = isPlainObject(parsed) ? (parsed as DeleteOptions) : {};
  const policy = query.get('propagationPolicy');
  if (policy) opts.propagationPolicy = policy as DeleteOptions['propagationPolicy'];
  const grace = query.get('gracePeriodSeconds');
  if (grace !== null) opts.gracePeriodSeconds = Number(grace);
  if (query.get('orphanDependents') !== null)
    opts.orphanDependents = query.get('orphanDependents') === 'true';
  if (
    query.get('dryRun') === 'All' ||
    (Array.isArray(opts.dryRun) && (opts.dryRun as string[]).includes('All'))
  )
    opts.dryRun = true;
  const known = ['Foreground', 'Background', 'Orphan', undefined];
  if (!known.includes(opts.propagationPolicy))
    throw badRequest(`propagationPolicy: Unsupported value: "${opts.propagationPolicy}"`);
  return opts;
}

function writeOptions(req: ResourceRequest): WriteOptions {
  const opts: WriteOptions = { manager: req.manager, dryRun: req.query.get('dryRun') === 'All' };
  if (req.subresource === 'status') opts.subresource = 'status';
  return opts;
}

/** PUT namespaces/{name}/finalize: only spec.finalizers changes (what the namespace controller calls). */
function finalizeNamespace(objects: Objects, req: ResourceRequest): KubeObject {
  const body = parseBody(req.body) as { spec?: { finalizers?: string[] } } | undefined;
  const name = req.name ?? '';
  const updated = objects.mutate(req.rt, undefined, name, { manager: req.manager }, (ns) => {
    ns.spec = { ...(ns.spec as object), finalizers: body?.spec?.finalizers ?? [] };
  });
  return updated ?? objects.require(req.rt, undefined, name);
}

export function handle(objects: Objects, req: ResourceRequest): HandlerResult {
  const { rt, namespace, name = '' } = req;
  if (
    req.subresource &&
    req.subresource !== 'status' &&
    !(req.subresource === 'finalize' && req.verb === 'update')
  ) {
    throw methodNotAllowed();
  }
  switch (req.verb) {
    case 'get':
      return { code: 200, body: objects.require(rt, namespace, name) };
    case 'list':
      return list(objects, req);
    case 'create':
      if (req.subresource) throw methodNotAllowed();
      return {
        code: 201,
        body: objects.create(rt, namespace, parseBody(req.body), writeOptions(req)),
      };
    case 'update':
      if (req.subresource === 'finalize')
        return { code: 200, body: finalizeNamespace(objects, req) };
      return {
        code: 200,
        body: objects.replace(rt, namespace, name, parseBody(req.body), writeOptions(req)),
      };
    case 'patch': {
      const force = req.query.get('force') === 'true';
      const result = patchObject(objects, rt, namespace, name, {
        contentType: req.contentType,
        body: req.body,
        force,
        options: writeOptions(req),
      });
      return { code: result.created ? 201 : 200, body: result.object };
    }
    case 'delete': {
      if (req.subresource) throw methodNotAllowed();
      return {
        code: 200,
        body: deleteResponse(
          rt,
          deleteObject(objects, rt, namespace, name, deleteOptions(req.query, req.body)),
        ),
      };
    }
    case 'deletecollection': {
      const opts = deleteOptions(req.query, req.body);
      const items = listObjects(objects, req).map(
        (o) => deleteObject(objects, rt, o.metadata.namespace, o.metadata.name ?? '', opts).object,
      );
      return {
        code: 200,
        body: {
          kind: `${rt.kind}List`,
          apiVersion: apiVersionOf(rt),
          metadata: { resourceVersion: String(objects.store.resourceVersion) },
          items,
        },
      };
    }
    default:
      throw new StatusError(405, 'MethodNotAllowed', `verb ${String(req.verb)} is not supported`);
  }
}
