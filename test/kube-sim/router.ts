/** URL → route, and method + route → the RBAC verb (what the request log records). Pure. */
import {
  apiGroupList,
  apiResourceList,
  apiVersions,
  findResource,
  RESOURCES,
  type ResourceType,
  VERSION_INFO,
} from './resources.ts';

export type Route =
  | { type: 'discovery'; body: object }
  | { type: 'resource'; rt: ResourceType; namespace?: string; name?: string; subresource?: string }
  | { type: 'notFound' };

export type Verb =
  | 'get'
  | 'list'
  | 'watch'
  | 'create'
  | 'update'
  | 'patch'
  | 'delete'
  | 'deletecollection';

function apiGroup(name: string): object | undefined {
  const r = RESOURCES.find((x) => x.group === name);
  if (!r) return undefined;
  const v = { groupVersion: `${name}/${r.version}`, version: r.version };
  return { kind: 'APIGroup', apiVersion: 'v1', name, versions: [v], preferredVersion: v };
}

function discovery(segs: string[], serverAddress: string): object | undefined {
  const path = segs.join('/');
  if (path === 'version') return VERSION_INFO;
  if (path === 'api') return apiVersions(serverAddress);
  if (path === 'apis') return apiGroupList();
  if (path === 'api/v1') return apiResourceList('', 'v1');
  if (segs[0] === 'apis' && segs.length === 2) return apiGroup(segs[1] as string);
  if (segs[0] === 'apis' && segs.length === 3)
    return apiResourceList(segs[1] as string, segs[2] as string);
  return undefined;
}

function knownSubresource(rt: ResourceType, sub: string | undefined): boolean {
  if (sub === undefined) return true;
  return (
    (sub === 'status' && rt.statusSubresource) || (sub === 'finalize' && rt.kind === 'Namespace')
  );
}

function resourceRoute(group: string, version: string, rest: string[]): Route {
  const [first, second, third, fourth, fifth, ...extra] = rest;
  if (extra.length > 0 || !first) return { type: 'notFound' };
  const nsScoped =
    first === 'namespaces' && second !== undefined && third !== undefined
      ? findResource(group, version, third)
      : undefined;
  if (nsScoped?.namespaced) {
    const route: Route = { type: 'resource', rt: nsScoped, namespace: second };
    if (fourth !== undefined) route.name = fourth;
    if (fifth !== undefined) route.subresource = fifth;
    return knownSubresource(nsScoped, fifth) ? route : { type: 'notFound' };
  }
  const rt = findResource(group, version, first);
  if (!rt || fourth !== undefined) return { type: 'notFound' };
  const route: Route = { type: 'resource', rt };
  if (second !== undefined) route.name = second;
  if (third !== undefined) route.subresource = third;
  // A cluster-wide list of a namespaced kind has no name; a named get needs a cluster-scoped kind.
  if (rt.namespaced && second !== undefined) return { type: 'notFound' };
  return knownSubresource(rt, third) ? route : { type: 'notFound' };
}

export function parsePath(pathname: string, serverAddress: string): Route {
  const segs = pathname
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  const body = discovery(segs, serverAddress);
  if (body) return { type: 'discovery', body };
  if (segs[0] === 'api' && segs[1] === 'v1') return resourceRoute('', 'v1', segs.slice(2));
  if (segs[0] === 'apis' && segs.length > 3)
    return resourceRoute(segs[1] as string, segs[2] as string, segs.slice(3));
  return { type: 'notFound' };
}

export function verbOf(method: string, route: Route, watch: boolean): Verb | undefined {
  const named = route.type === 'resource' && route.name !== undefined;
  switch (method) {
    case 'GET':
      if (route.type !== 'resource') return 'get';
      return named ? (watch ? 'watch' : 'get') : watch ? 'watch' : 'list';
    case 'POST':
      return named ? undefined : 'create';
    case 'PUT':
      return named ? 'update' : undefined;
    case 'PATCH':
      return named ? 'patch' : undefined;
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return undefined;
  }
}
