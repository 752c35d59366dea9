import { describe, expect, it } from 'vitest';
import { parsePath, verbOf } from './router.ts';

function summary(path: string): unknown {
  const r = parsePath(path, '127.0.0.1:1');
  if (r.type !== 'resource') return r.type;
  return [r.rt.group, r.rt.plural, r.namespace, r.name, r.subresource];
}

describe('parsePath', () => {
  const cases: [string, unknown][] = [
    ['/api', 'discovery'],
    ['/api/v1', 'discovery'],
    ['/apis', 'discovery'],
    ['/apis/traefik.io/v1alpha1', 'discovery'],
    ['/apis/nope.io/v1', 'notFound'],
    ['/version', 'discovery'],
    ['/api/v1/namespaces', ['', 'namespaces', undefined, undefined, undefined]],
    ['/api/v1/namespaces/ns1', ['', 'namespaces', undefined, 'ns1', undefined]],
    ['/api/v1/namespaces/ns1/status', ['', 'namespaces', undefined, 'ns1', 'status']],
    ['/api/v1/namespaces/ns1/pods', ['', 'pods', 'ns1', undefined, undefined]],
    ['/api/v1/namespaces/ns1/pods/p', ['', 'pods', 'ns1', 'p', undefined]],
    ['/api/v1/namespaces/ns1/pods/p/status', ['', 'pods', 'ns1', 'p', 'status']],
    ['/api/v1/pods', ['', 'pods', undefined, undefined, undefined]],
    ['/api/v1/pods/p', 'notFound'],
    ['/api/v1/nodes/n1', ['', 'nodes', undefined, 'n1', undefined]],
    [
      '/apis/networking.k8s.io/v1/namespaces/a/networkpolicies/np',
      ['networking.k8s.io', 'networkpolicies', 'a', 'np', undefined],
    ],
    [
      '/apis/traefik.io/v1alpha1/namespaces/a/ingressroutes',
      ['traefik.io', 'ingressroutes', 'a', undefined, undefined],
    ],
    ['/api/v1/namespaces/a/widgets', 'notFound'],
    ['/api/v1/namespaces/a/pods/p/status/x', 'notFound'],
  ];
  it.each(cases)('%s', (path, expected) => {
    expect(summary(path)).toEqual(expected);
  });
});

describe('verbOf', () => {
  const pods = parsePath('/api/v1/namespaces/a/pods', '');
  const pod = parsePath('/api/v1/namespaces/a/pods/p', '');
  const cases: [string, typeof pod, boolean, string | undefined][] = [
    ['GET', pods, false, 'list'],
    ['GET', pods, true, 'watch'],
    ['GET', pod, false, 'get'],
    ['POST', pods, false, 'create'],
    ['PUT', pod, false, 'update'],
    ['PATCH', pod, false, 'patch'],
    ['DELETE', pod, false, 'delete'],
    ['DELETE', pods, false, 'deletecollection'],
    ['POST', pod, false, undefined],
  ];
  it.each(cases)('%s %j watch=%s', (method, route, watch, verb) => {
    expect(verbOf(method, route, watch)).toBe(verb);
  });
});
