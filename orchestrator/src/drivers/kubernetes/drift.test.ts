import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { describeDrift, firstDifference, UNVERIFIED } from './drift.ts';

const service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'rt-a', namespace: 'ns', labels: { app: 'x' } },
  spec: { selector: { app: 'x' }, ports: [{ name: 'http', port: 18789, protocol: 'TCP' }] },
};
/** As the apiserver returns it: defaults, status and metadata added; a list item has no kind. */
const stored = {
  metadata: { ...service.metadata, uid: 'u1', resourceVersion: '7', managedFields: [{}] },
  spec: {
    ...service.spec,
    clusterIP: '10.96.0.10',
    ports: service.spec.ports.map((p) => ({ ...p, targetPort: 18789 })),
  },
  status: { loadBalancer: {} },
};
const edit = (fn: (o: typeof stored) => unknown) => {
  const copy = structuredClone(stored);
  fn(copy);
  return copy;
};

describe('firstDifference', () => {
  it.each([
    ['stored with server defaults, status and no kind', stored, undefined],
    [
      'port edited',
      edit((o) => Object.assign(o.spec.ports[0] ?? {}, { port: 1 })),
      'spec.ports[0].port',
    ],
    [
      'port added',
      edit((o) => o.spec.ports.push({ ...stored.spec.ports[0], port: 1 } as never)),
      'spec.ports',
    ],
    ['ports removed', edit((o) => o.spec.ports.splice(0)), 'spec.ports'],
    [
      'label removed',
      edit((o) => delete (o.metadata.labels as Partial<typeof o.metadata.labels>).app),
      'metadata.labels.app',
    ],
    [
      'label changed',
      edit((o) => Object.assign(o.metadata.labels, { app: 'y' })),
      'metadata.labels.app',
    ],
    ['extra label', edit((o) => Object.assign(o.metadata.labels, { b: '1' })), undefined],
    ['spec gone', edit((o) => delete (o as Partial<typeof o>).spec), 'spec'],
    ['list became a map', edit((o) => Object.assign(o.spec, { ports: {} })), 'spec.ports'],
  ])('%s → %s', (_name, live, expected) => {
    expect(firstDifference(service, live)).toBe(expected);
  });

  it('compares scalars strictly and skips fields we left undefined', () => {
    expect(firstDifference({ a: 1 }, { a: '1' })).toBe('a');
    expect(firstDifference({ a: undefined, b: null }, { b: null })).toBeUndefined();
    expect(firstDifference({ data: { K: 'YQ==' } }, { data: { K: 'Yg==' } })).toBe('data.K');
    expect(firstDifference({ spec: { tls: {} } }, { spec: {} })).toBe('spec.tls');
  });
});

describe('describeDrift', () => {
  const live = new Map<string, KubernetesObject>([['Service/rt-a', stored]]);
  const lookup = (kind: string, name: string) => live.get(`${kind}/${name}`);
  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'rt-a' }, data: {} };

  it.each([
    ['nothing applied by this process yet', undefined, UNVERIFIED],
    ['nothing to compare', [], undefined],
    ['intact', [service], undefined],
    ['deleted by hand', [service, secret], 'Secret rt-a: missing'],
    [
      'edited by hand',
      [{ ...service, spec: { ...service.spec, type: 'NodePort' } }],
      'Service rt-a: spec.type',
    ],
  ])('%s → %s', (_name, applied, expected) => {
    expect(describeDrift(applied, lookup)).toBe(expected);
  });
});
