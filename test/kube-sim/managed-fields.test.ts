import { describe, expect, it } from 'vitest';
import { deletePath, formatPath, fromFieldsV1, leafPaths, toFieldsV1 } from './field-paths.ts';
import {
  applyFields,
  type FieldContext,
  readOwners,
  recordUpdate,
  writeOwners,
} from './managed-fields.ts';
import { StatusError } from './status.ts';
import type { KubeObject } from './types.ts';

const T = '2026-01-01T00:00:00Z';
const ctx = (manager: string): FieldContext => ({
  manager,
  apiVersion: 'apps/v1',
  time: T,
  scope: 'main',
});

function skeleton(): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'ns' } };
}

function apply(live: KubeObject, manager: string, body: object, force = false): KubeObject {
  writeOwners(
    live,
    applyFields(live, { apiVersion: 'apps/v1', kind: 'Deployment', ...body }, ctx(manager), force),
  );
  return live;
}

function conflictOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  throw new Error('expected a conflict');
}

describe('field paths', () => {
  it.each([
    [{ a: 1 }, [['a']]],
    [
      { a: { b: 1, c: [1] } },
      [
        ['a', 'b'],
        ['a', 'c'],
      ],
    ],
    [{ a: {} }, [['a']]],
    [{ metadata: { labels: { 'x.io/y': 'z' } } }, [['metadata', 'labels', 'x.io/y']]],
  ])('leafPaths(%j)', (obj, paths) => {
    expect(leafPaths(obj)).toEqual(paths);
    expect(fromFieldsV1(toFieldsV1(paths))).toEqual(paths);
  });

  it('formats like the real server and prunes empty maps on delete', () => {
    expect(formatPath(['spec', 'replicas'])).toBe('.spec.replicas');
    const obj = { metadata: { labels: { a: '1' } }, spec: { x: { y: 1 } } };
    deletePath(obj, ['spec', 'x', 'y']);
    deletePath(obj, ['metadata', 'labels', 'a']);
    expect(obj).toEqual({ metadata: {}, spec: {} });
  });
});

describe('server-side apply', () => {
  it('creates and records an Apply owner with FieldsV1', () => {
    const live = apply(skeleton(), 'orch', {
      metadata: { labels: { app: 'x' } },
      spec: { replicas: 1 },
    });
    expect(live.spec).toEqual({ replicas: 1 });
    expect(live.metadata.managedFields).toEqual([
      {
        manager: 'orch',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: T,
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:replicas': {} } },
      },
    ]);
  });

  const cases: [string, object, boolean, string | null][] = [
    ['same value shares ownership', { spec: { replicas: 1 } }, false, null],
    [
      'different value conflicts',
      { spec: { replicas: 2 } },
      false,
      'Apply failed with 1 conflict: conflict with "orch": .spec.replicas',
    ],
    ['force takes ownership', { spec: { replicas: 2 } }, true, null],
    ['disjoint fields never conflict', { spec: { paused: true } }, false, null],
  ];
  it.each(cases)('second manager: %s', (_name, body, force, message) => {
    const live = apply(skeleton(), 'orch', { spec: { replicas: 1 } });
    if (message) {
      const err = conflictOf(() => apply(live, 'other', body, force));
      expect(err.status).toMatchObject({
        code: 409,
        reason: 'Conflict',
        message,
        details: {
          causes: [
            {
              reason: 'FieldManagerConflict',
              message: 'conflict with "orch"',
              field: '.spec.replicas',
            },
          ],
        },
      });
      expect(err.status.details).not.toHaveProperty('name');
      return;
    }
    apply(live, 'other', body, force);
    const owners = readOwners(live);
    const orch = owners.find((o) => o.manager === 'orch');
    expect(owners.find((o) => o.manager === 'other')).toBeDefined();
    expect(Boolean(orch?.paths.some((p) => p.join('.') === 'spec.replicas'))).toBe(!force);
  });

  it('ignores server-defaulted fields inside atomic lists when comparing', () => {
    const live = apply(skeleton(), 'a', { spec: { ports: [{ port: 80 }] } });
    (live.spec as { ports: object[] }).ports = [{ port: 80, protocol: 'TCP' }];
    expect(() => apply(live, 'b', { spec: { ports: [{ port: 80 }] } })).not.toThrow();
    expect(() => apply(live, 'c', { spec: { ports: [{ port: 81 }] } })).toThrow(StatusError);
  });

  it('lists several conflicts per manager', () => {
    const live = apply(skeleton(), 'a', { spec: { x: 1, y: 1 } });
    const err = conflictOf(() => apply(live, 'b', { spec: { x: 2, y: 2 } }));
    expect(err.message).toBe(
      'Apply failed with 2 conflicts: conflicts with "a":\n- .spec.x\n- .spec.y',
    );
  });

  it('removes fields a manager stops applying unless someone else owns them', () => {
    const live = apply(skeleton(), 'a', {
      metadata: { labels: { keep: '1', drop: '1', shared: '1' } },
    });
    apply(live, 'b', { metadata: { labels: { shared: '1' } } });
    apply(live, 'a', { metadata: { labels: { keep: '1' } } });
    expect(live.metadata.labels).toEqual({ keep: '1', shared: '1' });
  });

  it('conflicts with an Update owner, naming its apiVersion (1.20 prints no time)', () => {
    const live = skeleton();
    const after = { ...skeleton(), spec: { replicas: 3 } };
    writeOwners(live, recordUpdate([], live, after, ctx('kubectl')));
    Object.assign(live, { spec: { replicas: 3 } });
    const err = conflictOf(() => apply(live, 'orch', { spec: { replicas: 1 } }));
    expect(err.message).toBe(
      'Apply failed with 1 conflict: conflict with "kubectl" using apps/v1: .spec.replicas',
    );
  });

  it('ignores status and system metadata on the main resource', () => {
    const live = apply(skeleton(), 'a', {
      metadata: { uid: 'x', resourceVersion: '9' },
      status: { a: 1 },
      spec: {},
    });
    expect(live.status).toBeUndefined();
    expect(live.metadata.uid).toBeUndefined();
  });
});

describe('recordUpdate', () => {
  it('moves changed fields to the writer and forgets removed ones', () => {
    const before = { spec: { a: 1, b: 1 } };
    let owners = recordUpdate([], {}, before, ctx('x'));
    owners = recordUpdate(owners, before, { spec: { a: 2 } }, ctx('y'));
    expect(owners.map((o) => [o.manager, o.paths])).toEqual([['y', [['spec', 'a']]]]);
  });
});
