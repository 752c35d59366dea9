import { describe, expect, it } from 'vitest';
import { mayNeedCollection } from './gc.ts';
import { findResourceByKind, type ResourceType } from './resources.ts';
import { Store, type StoreEvent } from './store.ts';
import type { KubeObject } from './types.ts';

const CONFIGMAPS = findResourceByKind('v1', 'ConfigMap') as ResourceType;
const SECRETS = findResourceByKind('v1', 'Secret') as ResourceType;
const cm = (namespace: string, name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace },
});

describe('Store', () => {
  it('lists one kind sorted by namespace/name, never another kind with the same name', () => {
    const store = new Store(100, 1);
    store.put(CONFIGMAPS, cm('b', 'x'), undefined);
    store.put(CONFIGMAPS, cm('a', 'y'), undefined);
    store.put(SECRETS, { ...cm('a', 'y'), kind: 'Secret' }, undefined);
    expect(store.list(CONFIGMAPS).map((o) => o.metadata.name)).toEqual(['y', 'x']);
    expect(store.list(CONFIGMAPS, 'b').map((o) => o.metadata.name)).toEqual(['x']);
    expect(store.list(SECRETS)).toHaveLength(1);
  });

  it('scan sees what list sees, filtered by namespace, and later writes do not change it', () => {
    const store = new Store(100, 1);
    const first = store.put(CONFIGMAPS, cm('a', 'x'), undefined);
    store.put(CONFIGMAPS, cm('b', 'y'), undefined);
    const scanned = store.scan(CONFIGMAPS, 'a');
    expect(scanned).toEqual([store.get(CONFIGMAPS, 'a', 'x')]);
    store.put(CONFIGMAPS, { ...first, data: { k: 'v' } }, first);
    expect(scanned[0]?.data).toBeUndefined();
    expect(store.scan(CONFIGMAPS)).toHaveLength(2);
  });

  // The bug: the simulated controllers cloned every object on every change (quadratic in objects).
  it('scans thousands of objects without copying them', () => {
    const store = new Store(10, 1);
    for (let i = 0; i < 5_000; i++) store.put(CONFIGMAPS, cm('a', `cm-${i}`), undefined);
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) store.scan(CONFIGMAPS);
    // 100 deep copies of 5,000 objects take seconds; 100 scans take milliseconds.
    expect(performance.now() - t0).toBeLessThan(500);
  });
});

describe('mayNeedCollection (garbage collector trigger)', () => {
  const owned = {
    ...cm('a', 'x'),
    metadata: {
      ...cm('a', 'x').metadata,
      ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'o', uid: 'u1' }],
    },
  };
  const event = (type: StoreEvent['type'], object: KubeObject, previous?: KubeObject) =>
    ({ type, resource: CONFIGMAPS, object, previous, rv: 2 }) as StoreEvent;
  it.each([
    ['an owned object is created', event('ADDED', owned), true],
    ['an unowned object is created', event('ADDED', cm('a', 'x')), false],
    ['a status-only update', event('MODIFIED', { ...owned, status: { a: 1 } }, owned), false],
    ['owner references change', event('MODIFIED', owned, cm('a', 'x')), true],
    [
      'deletion starts',
      event('MODIFIED', { ...cm('a', 'x'), metadata: { name: 'x', deletionTimestamp: 't' } }),
      true,
    ],
    ['an object is deleted', event('DELETED', cm('a', 'x')), true],
  ])('%s → %s', (_name, e, expected) => {
    expect(mayNeedCollection(e)).toBe(expected);
  });
});
