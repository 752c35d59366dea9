import { describe, expect, it } from 'vitest';
import { jsonPatch, mergePatch } from './merge-patch.ts';
import { strategicMerge } from './strategic-merge.ts';

describe('mergePatch (RFC 7386 appendix A)', () => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  it.each(cases)('%j + %j', (target, patch, expected) => {
    expect(mergePatch(target, patch)).toEqual(expected);
  });

  it('does not mutate its inputs', () => {
    const target = { a: { b: 1 } };
    mergePatch(target, { a: { b: 2 } });
    expect(target).toEqual({ a: { b: 1 } });
  });
});

describe('jsonPatch (RFC 6902)', () => {
  const doc = { metadata: { labels: { a: '1' } }, list: [1, 2] };
  const cases: [string, unknown[], unknown][] = [
    [
      'add key',
      [{ op: 'add', path: '/metadata/labels/b', value: '2' }],
      { metadata: { labels: { a: '1', b: '2' } }, list: [1, 2] },
    ],
    [
      'add to end',
      [{ op: 'add', path: '/list/-', value: 3 }],
      { metadata: { labels: { a: '1' } }, list: [1, 2, 3] },
    ],
    [
      'insert',
      [{ op: 'add', path: '/list/0', value: 0 }],
      { metadata: { labels: { a: '1' } }, list: [0, 1, 2] },
    ],
    [
      'remove',
      [{ op: 'remove', path: '/metadata/labels/a' }],
      { metadata: { labels: {} }, list: [1, 2] },
    ],
    [
      'replace',
      [{ op: 'replace', path: '/list/1', value: 9 }],
      { metadata: { labels: { a: '1' } }, list: [1, 9] },
    ],
    [
      'move',
      [{ op: 'move', from: '/list', path: '/moved' }],
      { metadata: { labels: { a: '1' } }, moved: [1, 2] },
    ],
    [
      'copy',
      [{ op: 'copy', from: '/list/0', path: '/first' }],
      { metadata: { labels: { a: '1' } }, list: [1, 2], first: 1 },
    ],
    [
      'escaped',
      [{ op: 'add', path: '/metadata/labels/x~1y', value: 'z' }],
      { metadata: { labels: { a: '1', 'x/y': 'z' } }, list: [1, 2] },
    ],
  ];
  it.each(cases)('%s', (_name, ops, expected) => {
    expect(jsonPatch(doc, ops)).toEqual(expected);
  });

  it.each([
    ['missing remove', [{ op: 'remove', path: '/nope' }]],
    ['failed test', [{ op: 'test', path: '/list/0', value: 5 }]],
    ['replace missing', [{ op: 'replace', path: '/metadata/nope', value: 1 }]],
    ['not a list', { op: 'add' }],
  ])('rejects %s', (_name, ops) => {
    expect(() => jsonPatch(doc, ops)).toThrow();
  });
});

describe('strategicMerge', () => {
  const pod = {
    metadata: { finalizers: ['a'] },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'v1',
          env: [{ name: 'A', value: '1' }],
          ports: [{ containerPort: 80 }],
        },
        { name: 'side', image: 's' },
      ],
      tolerations: [{ key: 'x' }],
    },
  };
  type Container = { name: string; image: string; env?: { name: string; value: string }[] };
  const app = (p: typeof pod) => p.spec.containers[0] as Container;
  const cases: [string, unknown, unknown][] = [
    [
      'merges containers by name',
      { spec: { containers: [{ name: 'app', image: 'v2' }] } },
      (p: typeof pod) => {
        app(p).image = 'v2';
      },
    ],
    [
      'appends unknown keys',
      { spec: { containers: [{ name: 'new', image: 'n' }] } },
      (p: typeof pod) => {
        p.spec.containers.push({ name: 'new', image: 'n' } as never);
      },
    ],
    [
      'merges env by name',
      { spec: { containers: [{ name: 'app', env: [{ name: 'B', value: '2' }] }] } },
      (p: typeof pod) => {
        app(p).env?.push({ name: 'B', value: '2' });
      },
    ],
    [
      'deletes items with $patch',
      { spec: { containers: [{ name: 'side', $patch: 'delete' }] } },
      (p: typeof pod) => {
        p.spec.containers.pop();
      },
    ],
    [
      'replaces lists without merge key',
      { spec: { tolerations: [{ key: 'y' }] } },
      (p: typeof pod) => {
        p.spec.tolerations = [{ key: 'y' }];
      },
    ],
    [
      'unions finalizers',
      { metadata: { finalizers: ['b', 'a'] } },
      (p: typeof pod) => {
        p.metadata.finalizers = ['a', 'b'];
      },
    ],
    [
      'deletes from primitive lists',
      { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } },
      (p: typeof pod) => {
        p.metadata.finalizers = [];
      },
    ],
    [
      'null deletes keys',
      { spec: { tolerations: null } },
      (p: typeof pod) => {
        delete (p.spec as Partial<typeof pod.spec>).tolerations;
      },
    ],
  ];
  it.each(cases)('%s', (_name, patch, mutate) => {
    const expected = structuredClone(pod);
    (mutate as (p: typeof pod) => void)(expected);
    expect(strategicMerge(pod, patch, [], 'Pod')).toEqual(expected);
  });

  it('merges Service ports by port', () => {
    const svc = { spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] } };
    const out = strategicMerge(
      svc,
      { spec: { ports: [{ port: 80, targetPort: 9090 }] } },
      [],
      'Service',
    );
    expect(out).toEqual({ spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 443 }] } });
  });
});
