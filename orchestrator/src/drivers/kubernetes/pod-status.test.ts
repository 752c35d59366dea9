import type { V1ContainerStatus, V1Pod, V1PodCondition } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { ObservedRuntime } from '../driver.ts';
import { asDate, observePod } from './pod-status.ts';

const T0 = '2026-11-23T21:29:38Z';

function cond(type: string, status: string, extra: Partial<V1PodCondition> = {}): V1PodCondition {
  return { type, status, lastTransitionTime: T0 as unknown as Date, ...extra };
}

function gateway(extra: Partial<V1ContainerStatus> = {}): V1ContainerStatus {
  return { name: 'gateway', image: 'i', imageID: '', ready: false, restartCount: 0, ...extra };
}

function pod(status: V1Pod['status'], metadata: V1Pod['metadata'] = {}): V1Pod {
  return {
    metadata: { name: 'rt-x', annotations: { 'clawloops.io/template-hash': 'h1' }, ...metadata },
    status,
  };
}

const scheduled = [cond('PodScheduled', 'True'), cond('Initialized', 'True')];
const running = { running: { startedAt: T0 as unknown as Date } };
const oom = {
  terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: T0 as unknown as Date },
};

const cases: [string, V1Pod | undefined, Partial<ObservedRuntime>][] = [
  ['no pod', undefined, { state: 'absent', restarts: 0 }],
  [
    'just created',
    pod({ phase: 'Pending' }),
    { state: 'preparing', reason: 'Scheduling', progress: 5 },
  ],
  [
    'unschedulable',
    pod({
      phase: 'Pending',
      conditions: [
        cond('PodScheduled', 'False', { reason: 'Unschedulable', message: '0/3 nodes' }),
      ],
    }),
    { state: 'preparing', reason: 'Unschedulable', message: '0/3 nodes', progress: 10 },
  ],
  [
    'init container running',
    pod({
      phase: 'Pending',
      conditions: [cond('PodScheduled', 'True'), cond('Initialized', 'False')],
    }),
    { state: 'preparing', reason: 'Initializing', progress: 30 },
  ],
  [
    'bound to a node, no conditions reported yet',
    { ...pod({ phase: 'Pending' }), spec: { nodeName: 'n1', containers: [] } },
    { state: 'preparing', reason: 'ContainerCreating', progress: 50 },
  ],
  [
    'container creating',
    pod({
      phase: 'Pending',
      conditions: scheduled,
      containerStatuses: [gateway({ state: { waiting: { reason: 'ContainerCreating' } } })],
    }),
    { state: 'preparing', reason: 'ContainerCreating', progress: 50 },
  ],
  ...['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'CreateContainerConfigError'].map(
    (reason): [string, V1Pod, Partial<ObservedRuntime>] => [
      reason,
      pod({
        phase: 'Pending',
        conditions: scheduled,
        containerStatuses: [gateway({ state: { waiting: { reason, message: 'not found' } } })],
      }),
      { state: 'failed', reason, message: 'not found' },
    ],
  ),
  [
    'init container image pull error',
    pod({
      phase: 'Pending',
      conditions: [cond('PodScheduled', 'True'), cond('Initialized', 'False')],
      initContainerStatuses: [
        { ...gateway(), name: 'seed-config', state: { waiting: { reason: 'ErrImagePull' } } },
      ],
    }),
    { state: 'failed', reason: 'ErrImagePull' },
  ],
  [
    'completed init container is not a crash',
    pod({
      phase: 'Running',
      conditions: [...scheduled, cond('Ready', 'False')],
      initContainerStatuses: [
        {
          ...gateway({ ready: true }),
          name: 'seed-config',
          state: { terminated: { exitCode: 0, reason: 'Completed' } },
        },
      ],
      containerStatuses: [gateway({ state: running })],
    }),
    { state: 'starting', reason: 'Starting', progress: 70 },
  ],
  [
    'running, startup probe pending',
    pod({
      phase: 'Running',
      conditions: [...scheduled, cond('Ready', 'False')],
      containerStatuses: [gateway({ state: running, started: false })],
    }),
    { state: 'starting', reason: 'Starting', progress: 70, since: new Date(T0) },
  ],
  [
    'started, not yet ready',
    pod({
      phase: 'Running',
      conditions: [...scheduled, cond('Ready', 'False')],
      containerStatuses: [gateway({ state: running, started: true })],
    }),
    { state: 'starting', reason: 'NotReady', progress: 90 },
  ],
  [
    'ready',
    pod({
      phase: 'Running',
      conditions: [...scheduled, cond('Ready', 'True')],
      containerStatuses: [gateway({ state: running, started: true, ready: true })],
    }),
    { state: 'ready', progress: 100, since: new Date(T0), templateHash: 'h1', restarts: 0 },
  ],
  [
    'ready again after an old OOM kill',
    pod({
      phase: 'Running',
      conditions: [...scheduled, cond('Ready', 'True')],
      containerStatuses: [
        gateway({ state: running, ready: true, restartCount: 1, lastState: oom }),
      ],
    }),
    { state: 'ready', restarts: 1 },
  ],
  [
    'crash loop',
    pod({
      phase: 'Running',
      conditions: [...scheduled, cond('Ready', 'False')],
      containerStatuses: [
        gateway({
          restartCount: 4,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error' } },
        }),
      ],
    }),
    {
      state: 'crashed',
      reason: 'CrashLoopBackOff',
      restarts: 4,
      message: 'gateway restarted 4 times; last exit: Error (code 1)',
    },
  ],
  [
    'OOM killed, restarting',
    pod({
      phase: 'Running',
      conditions: [...scheduled, cond('Ready', 'False')],
      containerStatuses: [gateway({ restartCount: 2, state: running, lastState: oom })],
    }),
    { state: 'crashed', reason: 'OOMKilled', restarts: 2, since: new Date(T0) },
  ],
  [
    'just terminated',
    pod({
      phase: 'Running',
      conditions: [...scheduled, cond('Ready', 'False')],
      containerStatuses: [gateway({ state: { terminated: { exitCode: 1, reason: 'Error' } } })],
    }),
    { state: 'crashed', reason: 'Error' },
  ],
  [
    'config rejected (exit 78)',
    pod({
      phase: 'Running',
      conditions: [...scheduled, cond('Ready', 'False')],
      containerStatuses: [
        gateway({
          restartCount: 3,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 78, reason: 'Error' } },
        }),
      ],
    }),
    { state: 'failed', reason: 'ConfigRejected', restarts: 3 },
  ],
  [
    'evicted',
    pod({ phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' }),
    { state: 'crashed', reason: 'Evicted', message: 'The node was low on resource: memory.' },
  ],
  ['phase Unknown', pod({ phase: 'Unknown' }), { state: 'crashed', reason: 'NodeLost' }],
  ['failed without reason', pod({ phase: 'Failed' }), { state: 'crashed', reason: 'PodFailed' }],
  [
    'node stopped reporting (Ready=False, container still ready)',
    pod({
      phase: 'Running',
      conditions: [...scheduled, cond('Ready', 'False')],
      containerStatuses: [gateway({ state: running, ready: true })],
    }),
    { state: 'crashed', reason: 'NodeLost' },
  ],
  [
    'terminating wins over everything',
    pod(
      { phase: 'Failed', reason: 'Evicted' },
      { deletionTimestamp: T0 as unknown as Date, annotations: {} },
    ),
    { state: 'terminating', reason: 'Terminating', since: new Date(T0) },
  ],
];

describe('observePod', () => {
  it.each(cases)('%s', (_name, input, expected) => {
    expect(observePod(input)).toMatchObject(expected);
  });

  it('reports the template hash of the pod that exists', () => {
    expect(observePod(pod({ phase: 'Pending' })).templateHash).toBe('h1');
    expect(observePod(pod({ phase: 'Pending' }, { annotations: {} })).templateHash).toBeUndefined();
  });

  it('accepts Date objects (list) and strings (watch) alike', () => {
    expect(asDate(new Date(T0))?.toISOString()).toBe('2026-11-23T21:29:38.000Z');
    expect(asDate(T0)?.toISOString()).toBe('2026-11-23T21:29:38.000Z');
    expect(asDate('garbage')).toBeUndefined();
    expect(asDate(undefined)).toBeUndefined();
  });
});
