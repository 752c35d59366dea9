/**
 * The apiserver's RequestInfo for a URL (what RBAC and the request log need): verb, API group,
 * resource, subresource, namespace, name. Generic over every resource, unlike the simulator's router,
 * which knows only the kinds it serves. Pure.
 */
import type { Verb } from '../kube-sim/router.ts';

export interface RequestInfo {
  path: string;
  verb?: Verb;
  apiGroup?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export function requestInfo(method: string, url: URL): RequestInfo {
  const segs = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const info: RequestInfo = { path: url.pathname };
  let rest: string[];
  if (segs[0] === 'api' && segs.length >= 3) {
    info.apiGroup = '';
    rest = segs.slice(2);
  } else if (segs[0] === 'apis' && segs.length >= 4) {
    info.apiGroup = segs[1];
    rest = segs.slice(3);
  } else {
    return info; // discovery, /version, /readyz: non-resource URLs
  }
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    info.namespace = rest[1];
    rest = rest.slice(2);
  }
  [info.resource, info.name, info.subresource] = rest;
  if (info.resource === 'namespaces' && info.name && rest.length === 2) info.namespace = info.name;
  const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
  info.verb = verbOf(method, info.name !== undefined, watch);
  return info;
}

function verbOf(method: string, named: boolean, watch: boolean): Verb | undefined {
  switch (method) {
    case 'GET':
      return watch ? 'watch' : named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return undefined;
  }
}
