import { describe, expect, it } from 'vitest';
import {
  ANNOTATIONS,
  LABELS,
  runtimeObjectName,
  workspaceClaimName,
} from '../../orchestrator/src/names.ts';
import type { KubeObject } from '../kube-sim/types.ts';
import { type ClusterObjects, convergenceViolations, type RuntimeFacts } from './cluster-check.ts';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const OWNER = '00000000-0000-4000-8000-0000000000f1';

function runtime(id: string, patch: Partial<RuntimeFacts> = {}): RuntimeFacts {
  return {
    id,
    ownerId: OWNER,
    createdAt: 1,
    desiredState: 'running',
    retentionPolicy: 'preserve',
    generation: 3,
    observedGeneration: 3,
    phase: 'Running',
    templateHash: 'h1',
    ...patch,
  };
}

function object(kind: string, id: string, patch: Partial<KubeObject['metadata']> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind,
    metadata: {
      name: runtimeObjectName(id),
      namespace: 'ns',
      uid: kind === 'ConfigMap' ? `anchor-${id}` : `${kind}-${id}`,
      labels: { [LABELS.runtimeId]: id, [LABELS.ownerId]: OWNER },
      ...(kind === 'ConfigMap'
        ? {}
        : {
            ownerReferences: [
              {
                apiVersion: 'v1',
                kind: 'ConfigMap',
                name: runtimeObjectName(id),
                uid: `anchor-${id}`,
                controller: true,
              },
            ],
          }),
      ...(kind === 'Pod' ? { annotations: { [ANNOTATIONS.templateHash]: 'h1' } } : {}),
      ...patch,
    },
    ...(kind === 'Pod'
      ? { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }
      : {}),
  } as KubeObject;
}

const claim = (owner = OWNER, patch: Partial<KubeObject['metadata']> = {}): KubeObject =>
  ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: workspaceClaimName(owner), labels: { [LABELS.ownerId]: owner }, ...patch },
  }) as KubeObject;

/** A running runtime's full set of objects plus its owner's claim. */
function runningSet(id: string): ClusterObjects {
  const kinds = ['ConfigMap', 'Secret', 'Service', 'NetworkPolicy', 'IngressRoute', 'Pod'];
  return {
    ...Object.fromEntries(kinds.map((k) => [k, [object(k, id)]])),
    PersistentVolumeClaim: [claim()],
  };
}

const without = (objects: ClusterObjects, kind: string): ClusterObjects => ({
  ...objects,
  [kind]: [],
});

describe('convergenceViolations', () => {
  const cases: [string, RuntimeFacts[], ClusterObjects, RegExp | null][] = [
    ['a converged running runtime', [runtime(A)], runningSet(A), null],
    [
      'a stopped runtime keeps its objects but no pod',
      [runtime(A, { desiredState: 'stopped', phase: 'Stopped', templateHash: null })],
      without(runningSet(A), 'Pod'),
      null,
    ],
    [
      'a deleted runtime with the workspace preserved',
      [runtime(A, { desiredState: 'deleted', phase: 'Deleted', templateHash: null })],
      { PersistentVolumeClaim: [claim()] },
      null,
    ],
    [
      'status behind the spec',
      [runtime(A, { observedGeneration: 2 })],
      runningSet(A),
      /desired running \(generation 3\), status Running \(observed 2\)/,
    ],
    ['a running runtime without its pod', [runtime(A)], without(runningSet(A), 'Pod'), /no Pod/],
    [
      'a pod of an old template',
      [runtime(A, { templateHash: 'h2' })],
      runningSet(A),
      /template h1, desired h2/,
    ],
    [
      'a pod left behind by a stopped runtime',
      [runtime(A, { desiredState: 'stopped', phase: 'Stopped', templateHash: null })],
      runningSet(A),
      /pod of a stopped runtime/,
    ],
    [
      'objects of a deleted runtime are orphans',
      [runtime(A, { desiredState: 'deleted', phase: 'Deleted', templateHash: null })],
      { Secret: [object('Secret', A)], PersistentVolumeClaim: [claim()] },
      /Secret .*orphan \(runtime .* is deleted\)/,
    ],
    [
      'objects of an unknown runtime are orphans',
      [runtime(A)],
      { ...runningSet(A), Service: [object('Service', A), object('Service', B)] },
      /orphan \(no runtime/,
    ],
    [
      'a second pod for one runtime is a duplicate',
      [runtime(A)],
      { ...runningSet(A), Pod: [object('Pod', A), object('Pod', A, { name: 'rt-copy' })] },
      /Pod rt-copy: duplicate/,
    ],
    [
      'an object not owned by the current anchor',
      [runtime(A)],
      {
        ...runningSet(A),
        Secret: [object('Secret', A, { ownerReferences: [] })],
      },
      /not owned by the runtime's anchor/,
    ],
    [
      'an object stuck terminating',
      [runtime(A)],
      { ...runningSet(A), Service: [object('Service', A, { deletionTimestamp: 'now' })] },
      /stuck terminating/,
    ],
    [
      'a claim left after a wipe',
      [
        runtime(A, {
          desiredState: 'deleted',
          phase: 'Deleted',
          retentionPolicy: 'wipe',
          templateHash: null,
        }),
      ],
      { PersistentVolumeClaim: [claim()] },
      /workspace claim left after a wipe/,
    ],
    [
      'the owner recreated after a wipe: the claim is required again',
      [
        runtime(B, {
          desiredState: 'deleted',
          phase: 'Deleted',
          retentionPolicy: 'wipe',
          templateHash: null,
        }),
        runtime(A, { createdAt: 2 }),
      ],
      without(runningSet(A), 'PersistentVolumeClaim'),
      /should run but has no workspace claim/,
    ],
    [
      'a claim of an owner without runtimes',
      [runtime(A)],
      { ...runningSet(A), PersistentVolumeClaim: [claim(), claim(B)] },
      /orphan \(no runtime of owner/,
    ],
  ];

  it.each(cases)('%s', (_name, runtimes, objects, expected) => {
    const violations = convergenceViolations(runtimes, objects);
    if (expected === null) expect(violations).toEqual([]);
    else expect(violations.join('\n')).toMatch(expected);
  });
});
