import { describe, expect, it } from 'vitest';
import {
  deletePath,
  FieldPathError,
  formatPath,
  fromFieldsV1,
  leafPaths,
  overlaps,
  toFieldsV1,
} from './field-paths.ts';
import { schemaFor } from './field-schema.ts';
import { applyFields, type FieldContext, recordUpdate, writeOwners } from './managed-fields.ts';
import { RESOURCES } from './resources.ts';
import { StatusError } from './status.ts';
import type { KubeObject } from './types.ts';
import { validateCreate } from './validation.ts';

/**
 * Server-side apply on associative lists. The expected outcomes were recorded from a real
 * kube-apiserver 1.20.2 (the contract tier's binary) running the same steps; see also
 * test/integration/kube-contract/service-ports-ssa.test.ts, which runs them on both backends.
 */

const T = '2026-01-01T00:00:00Z';
const ITEM = (port: number) => `k:{"port":${port},"protocol":"TCP"}`;
const SVC = schemaFor('Service');

describe('field paths of associative lists', () => {
  it('names keyed items by their keys (sorted) and set items by value', () => {
    const svc = { spec: { ports: [{ protocol: 'TCP', port: 80, name: 'http' }] } };
    expect(leafPaths(svc, SVC)).toEqual([
      ['spec', 'ports', ITEM(80)],
      ['spec', 'ports', ITEM(80), 'protocol'],
      ['spec', 'ports', ITEM(80), 'port'],
      ['spec', 'ports', ITEM(80), 'name'],
    ]);
    const meta = {
      metadata: { finalizers: ['a.io/x'], ownerReferences: [{ uid: 'u', name: 'n' }] },
    };
    expect(leafPaths(meta, SVC)).toEqual([
      ['metadata', 'finalizers', 'v:"a.io/x"'],
      ['metadata', 'ownerReferences', 'k:{"uid":"u"}'],
      ['metadata', 'ownerReferences', 'k:{"uid":"u"}', 'uid'],
      ['metadata', 'ownerReferences', 'k:{"uid":"u"}', 'name'],
    ]);
  });

  it.each([
    ['Service ports', 'Service', { spec: { ports: [{ port: 1 }] } }, [['spec', 'ports']]],
    ['a list the schema does not know', 'Service', { spec: { x: [{ port: 1 }] } }, [['spec', 'x']]],
    [
      'a LabelSelector (atomic map)',
      'NetworkPolicy',
      { spec: { podSelector: { matchLabels: { a: 'b' } } } },
      [['spec', 'podSelector']],
    ],
    [
      'a custom resource',
      'IngressRoute',
      { spec: { routes: [{ match: 'x' }] } },
      [['spec', 'routes']],
    ],
  ])('is atomic: %s', (_what, kind, obj, paths) => {
    // Service ports without protocol: a stored object that cannot be keyed counts as atomic.
    expect(leafPaths(obj, schemaFor(kind))).toEqual(paths);
  });

  it.each([
    [
      [{ port: 1 }],
      '.spec.ports: element 0: associative list with keys has an element that omits key field "protocol" (and doesn\'t have default value)',
    ],
    [
      [
        { port: 1, protocol: 'TCP', name: 'a' },
        { port: 1, protocol: 'TCP', name: 'b' },
      ],
      '.spec.ports: duplicate entries for key [port=1,protocol="TCP"]',
    ],
  ])('rejects an apply body that cannot be keyed: %j', (ports, message) => {
    expect(() => leafPaths({ spec: { ports } }, SVC, true)).toThrow(new FieldPathError(message));
  });

  it('writes FieldsV1 as the real server does and reads it back', () => {
    const paths = leafPaths({ spec: { ports: [{ port: 80, protocol: 'TCP', name: 'h' }] } }, SVC);
    expect(toFieldsV1(paths)).toEqual({
      'f:spec': {
        'f:ports': { [ITEM(80)]: { '.': {}, 'f:name': {}, 'f:port': {}, 'f:protocol': {} } },
      },
    });
    expect(Object.keys((toFieldsV1(paths)['f:spec'] as never)['f:ports'][ITEM(80)])).toEqual([
      '.',
      'f:name',
      'f:port',
      'f:protocol',
    ]);
    expect(new Set(fromFieldsV1(toFieldsV1(paths)).map((p) => p.join('/')))).toEqual(
      new Set(paths.map((p) => p.join('/'))),
    );
    expect(toFieldsV1([['metadata', 'finalizers', 'v:"x"']])).toEqual({
      'f:metadata': { 'f:finalizers': { 'v:"x"': {} } },
    });
  });

  it.each([
    [['spec', 'ports', ITEM(80), 'name'], '.spec.ports[port=80,protocol="TCP"].name'],
    [['metadata', 'finalizers', 'v:"a.io/x"'], '.metadata.finalizers[="a.io/x"]'],
  ])('formats %j as %s', (path, text) => {
    expect(formatPath(path)).toBe(text);
  });

  it.each([
    [['spec', 'ports', ITEM(80)], ['spec', 'ports', ITEM(80), 'name'], false],
    [['spec', 'ports', ITEM(80), 'name'], ['spec', 'ports', ITEM(80)], false],
    [['spec', 'ports', ITEM(80)], ['spec', 'ports', ITEM(80)], true],
    [['spec', 'ports'], ['spec', 'ports', ITEM(80), 'name'], true],
    [['spec', 'ports', ITEM(80)], ['spec', 'ports', ITEM(81)], false],
  ])('overlaps(%j, %j) = %s', (a, b, expected) => {
    expect(overlaps(a, b)).toBe(expected);
  });

  it('deletes items, prunes a list it empties and keeps the key fields of an item that stays', () => {
    const obj = {
      spec: {
        ports: [
          { port: 80, protocol: 'TCP', name: 'a' },
          { port: 81, protocol: 'TCP', name: 'b' },
        ],
      },
      metadata: { finalizers: ['x'] },
    };
    deletePath(obj, ['spec', 'ports', ITEM(80)]);
    deletePath(obj, ['spec', 'ports', ITEM(81), 'name']);
    deletePath(obj, ['spec', 'ports', ITEM(81), 'port']);
    deletePath(obj, ['metadata', 'finalizers', 'v:"x"']);
    expect(obj).toEqual({ spec: { ports: [{ port: 81, protocol: 'TCP' }] }, metadata: {} });
    deletePath(obj, ['spec', 'ports', ITEM(81)]);
    expect(obj).toEqual({ spec: {}, metadata: {} });
  });
});

type Port = [name: string, port: number, targetPort?: number];
/** `apply` is a server-side apply of the Service with these ports; `edit` a merge patch of them. */
type Step = [op: 'apply' | 'force' | 'edit', manager: string, ports: Port[]];
/** Owners' `f:ports` per `manager/operation`: item → its owned fields (`.` = the item itself). */
type PortOwners = Record<string, Record<string, string[]>>;

const O = 'clawloops-orchestrator';
const E = 'kubectl-edit';

function service(ports: Port[]): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's', namespace: 'ns' },
    spec: {
      ports: ports.map(([name, port, targetPort = port]) => ({
        name,
        port,
        targetPort,
        protocol: 'TCP',
      })),
    },
  };
}

const ctx = (manager: string): FieldContext => ({
  manager,
  apiVersion: 'v1',
  time: T,
  scope: 'all',
});

function run(steps: Step[]): KubeObject {
  let live = service([]);
  delete (live.spec as { ports?: unknown }).ports;
  for (const [op, manager, ports] of steps) {
    if (op === 'edit') {
      const after = { ...structuredClone(live), spec: service(ports).spec };
      writeOwners(after, recordUpdate(readAll(live), live, after, ctx(manager)));
      live = after;
    } else writeOwners(live, applyFields(live, service(ports), ctx(manager), op === 'force'));
  }
  return live;
}

function readAll(obj: KubeObject) {
  return (obj.metadata.managedFields ?? []).map((e) => ({
    manager: e.manager,
    operation: e.operation,
    apiVersion: e.apiVersion,
    time: e.time,
    paths: fromFieldsV1(e.fieldsV1),
  }));
}

function portOwners(obj: KubeObject): PortOwners {
  const out: PortOwners = {};
  for (const e of obj.metadata.managedFields ?? []) {
    const ports = ((e.fieldsV1['f:spec'] ?? {}) as Record<string, Record<string, object>>)[
      'f:ports'
    ];
    if (!ports) continue;
    out[`${e.manager}/${e.operation}`] = Object.fromEntries(
      Object.entries(ports).map(([item, fields]) => [
        item,
        Object.keys(fields).map((f) => f.replace(/^f:/, '')),
      ]),
    );
  }
  return out;
}

const portsOf = (obj: KubeObject) =>
  ((obj.spec as { ports?: { name: string; port: number; targetPort: number }[] }).ports ?? []).map(
    (p) => `${p.name}:${p.port}->${p.targetPort}`,
  );

const ALL = ['.', 'name', 'port', 'protocol', 'targetPort'];

describe('server-side apply merges associative lists item by item (as kube-apiserver 1.20)', () => {
  const cases: [string, Step[], string[], PortOwners][] = [
    [
      'a hand edit replaces the applier’s item; the forced apply adds its item back beside it',
      [
        ['force', O, [['http', 18789]]],
        ['edit', E, [['http', 9999]]],
        ['force', O, [['http', 18789]]],
      ],
      // Both named "http": validation turns this into 422 Duplicate value (the contract test).
      ['http:9999->9999', 'http:18789->18789'],
      { [`${O}/Apply`]: { [ITEM(18789)]: ALL }, [`${E}/Update`]: { [ITEM(9999)]: ALL } },
    ],
    [
      'the applier drops an item it alone owned',
      [
        [
          'force',
          O,
          [
            ['a', 1000],
            ['b', 2000],
          ],
        ],
        ['force', O, [['a', 1000]]],
      ],
      ['a:1000->1000'],
      { [`${O}/Apply`]: { [ITEM(1000)]: ALL } },
    ],
    [
      'an edit inside an owned item takes that field only; force takes it back',
      [
        [
          'force',
          O,
          [
            ['a', 1000],
            ['b', 2000],
          ],
        ],
        [
          'edit',
          E,
          [
            ['a', 1000, 1111],
            ['b', 2000],
          ],
        ],
        [
          'force',
          O,
          [
            ['a', 1000],
            ['b', 2000],
          ],
        ],
      ],
      ['a:1000->1000', 'b:2000->2000'],
      { [`${O}/Apply`]: { [ITEM(1000)]: ALL, [ITEM(2000)]: ALL } },
    ],
    [
      'dropping an item removes it even when another manager owns one of its fields',
      [
        [
          'force',
          O,
          [
            ['a', 1000],
            ['b', 2000],
          ],
        ],
        [
          'edit',
          E,
          [
            ['a', 1000],
            ['b', 2000, 2222],
          ],
        ],
        ['force', O, [['a', 1000]]],
      ],
      ['a:1000->1000'],
      { [`${O}/Apply`]: { [ITEM(1000)]: ALL } },
    ],
    [
      'an item another applier also owns stays when one of them drops it',
      [
        ['force', O, [['a', 1000]]],
        ['apply', 'other', [['a', 1000]]],
        ['force', O, [['b', 2000]]],
      ],
      ['a:1000->1000', 'b:2000->2000'],
      { [`${O}/Apply`]: { [ITEM(2000)]: ALL }, 'other/Apply': { [ITEM(1000)]: ALL } },
    ],
    [
      'the live order wins; new items are appended in applied order',
      [
        [
          'force',
          O,
          [
            ['b', 2000],
            ['a', 1000],
          ],
        ],
        [
          'force',
          O,
          [
            ['a', 1000],
            ['c', 3000],
            ['b', 2000],
          ],
        ],
      ],
      ['b:2000->2000', 'a:1000->1000', 'c:3000->3000'],
      { [`${O}/Apply`]: { [ITEM(1000)]: ALL, [ITEM(2000)]: ALL, [ITEM(3000)]: ALL } },
    ],
  ];

  it.each(cases)('%s', (_name, steps, ports, owners) => {
    const live = run(steps);
    expect(portsOf(live)).toEqual(ports);
    expect(portOwners(live)).toEqual(owners);
  });

  it('an unforced apply conflicts on the one field another manager changed', () => {
    const steps: Step[] = [
      [
        'force',
        O,
        [
          ['a', 1000],
          ['b', 2000],
        ],
      ],
      [
        'edit',
        E,
        [
          ['a', 1000, 1111],
          ['b', 2000],
        ],
      ],
    ];
    const live = run(steps);
    expect(portOwners(live)[`${E}/Update`]).toEqual({ [ITEM(1000)]: ['targetPort'] });
    const field = '.spec.ports[port=1000,protocol="TCP"].targetPort';
    expect(() =>
      applyFields(
        live,
        service([
          ['a', 1000],
          ['b', 2000],
        ]),
        ctx(O),
        false,
      ),
    ).toThrow(
      expect.objectContaining({
        status: expect.objectContaining({
          code: 409,
          message: `Apply failed with 1 conflict: conflict with "${E}" using v1: ${field}`,
          details: {
            causes: [
              { reason: 'FieldManagerConflict', message: `conflict with "${E}" using v1`, field },
            ],
          },
        }),
      }),
    );
  });

  it('answers an apply body with an unkeyable list with a bare 500, as 1.20 does', () => {
    const live = run([['force', O, [['a', 1000]]]]);
    const body = { ...service([]), spec: { ports: [{ name: 'a', port: 1000 }] } };
    let err: unknown;
    try {
      applyFields(live, body, ctx(O), true);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StatusError);
    expect((err as StatusError).status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'failed to create typed patch object: .spec.ports: element 0: associative list with keys has an element that omits key field "protocol" (and doesn\'t have default value)',
      code: 500,
    });
  });
});

describe('Service port validation (the 422 a merged duplicate name gets)', () => {
  it('names every bad port as kube-apiserver 1.20 does', () => {
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'v1' },
      spec: {
        ports: [
          { name: 'http', port: 1, protocol: 'TCP' },
          { port: 2, protocol: 'TCP' },
          { name: 'Bad_N', port: 3, protocol: 'TCP' },
          { name: 'http', port: 4, protocol: 'TCP' },
          { name: 'x', port: 4, protocol: 'TCP' },
        ],
      },
    };
    const services = RESOURCES.find((r) => r.kind === 'Service');
    if (!services) throw new Error('no Service resource');
    let err: unknown;
    try {
      validateCreate(services, svc);
    } catch (e) {
      err = e;
    }
    // Recorded from the real apiserver (POST of this body).
    const label = `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`;
    const key =
      'core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:4, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}';
    expect((err as StatusError).status).toMatchObject({
      code: 422,
      reason: 'Invalid',
      message: `Service "v1" is invalid: [spec.ports[1].name: Required value, spec.ports[2].name: Invalid value: "Bad_N": ${label}, spec.ports[3].name: Duplicate value: "http", spec.ports[4]: Duplicate value: ${key}]`,
      details: {
        name: 'v1',
        kind: 'Service',
        causes: [
          { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.ports[1].name' },
          {
            reason: 'FieldValueInvalid',
            message: `Invalid value: "Bad_N": ${label}`,
            field: 'spec.ports[2].name',
          },
          {
            reason: 'FieldValueDuplicate',
            message: 'Duplicate value: "http"',
            field: 'spec.ports[3].name',
          },
          {
            reason: 'FieldValueDuplicate',
            message: `Duplicate value: ${key}`,
            field: 'spec.ports[4]',
          },
        ],
      },
    });
  });
});
