import { describe, expect, it } from 'vitest';
import type { Condition } from '../../../schema/domain/conditions.ts';
import type { DesiredState, RuntimePhase } from '../../../schema/domain/enums.ts';
import type { ObservedRuntime } from '../drivers/driver.ts';
import { type Action, type PlanInput, plan } from './runtime.ts';

const NOW = new Date('2026-11-23T12:00:00Z');
const settings = { maxRestarts: 5, failedRetryMs: 60_000 };

function input(
  desired: DesiredState | null,
  observed: Partial<ObservedRuntime>,
  current: Partial<PlanInput['current']> = {},
  extra: Partial<PlanInput> = {},
): PlanInput {
  return {
    spec: desired ? { desiredState: desired, generation: 3, retentionPolicy: 'preserve' } : null,
    current: { phase: 'Pending', conditions: [], observedGeneration: 2, ...current },
    observed: { state: 'absent', restarts: 0, ...observed },
    desiredHash: 'h1',
    startSlotFree: true,
    settings,
    now: NOW,
    ...extra,
  };
}

const failedAt = (ms: number): Condition[] => [
  {
    type: 'Failed',
    status: 'True',
    reason: 'CrashLoop',
    message: 'crashed',
    observedGeneration: 3,
    lastTransitionTime: new Date(NOW.getTime() - ms).toISOString(),
  },
];

describe('plan', () => {
  it.each<[string, PlanInput, Action, RuntimePhase]>([
    ['running, nothing there ⇒ create', input('running', {}), 'ensureRunning', 'Pending'],
    [
      'running, no start slot ⇒ wait queued',
      input('running', {}, {}, { startSlotFree: false }),
      'none',
      'Pending',
    ],
    [
      'running, preparing ⇒ wait',
      input('running', { state: 'preparing', templateHash: 'h1', progress: 40 }),
      'none',
      'Starting',
    ],
    [
      'running, starting ⇒ wait',
      input('running', { state: 'starting', templateHash: 'h1' }),
      'none',
      'Starting',
    ],
    [
      'running, ready ⇒ converged',
      input('running', { state: 'ready', templateHash: 'h1' }),
      'none',
      'Running',
    ],
    [
      'running, ready but an owned object drifted ⇒ re-apply, stay Running',
      input('running', { state: 'ready', templateHash: 'h1', drift: 'Service rt-x: spec.ports' }),
      'ensureRunning',
      'Running',
    ],
    [
      'running, ready but old template ⇒ replace',
      input('running', { state: 'ready', templateHash: 'old' }),
      'ensureRunning',
      'Starting',
    ],
    [
      'running, crashed a few times ⇒ let it restart',
      input('running', { state: 'crashed', templateHash: 'h1', restarts: 2 }),
      'none',
      'Starting',
    ],
    [
      'running, crash loop ⇒ breaker trips',
      input('running', { state: 'crashed', templateHash: 'h1', restarts: 5 }),
      'ensureStopped',
      'Failed',
    ],
    [
      'running, config rejected ⇒ failed',
      input('running', { state: 'failed', templateHash: 'h1', reason: 'ConfigRejected' }),
      'ensureStopped',
      'Failed',
    ],
    [
      'running, failed recently ⇒ hold',
      input('running', {}, { phase: 'Failed', observedGeneration: 3, conditions: failedAt(1000) }),
      'none',
      'Failed',
    ],
    [
      'running, failed long ago ⇒ retry',
      input(
        'running',
        {},
        { phase: 'Failed', observedGeneration: 3, conditions: failedAt(120_000) },
      ),
      'ensureRunning',
      'Pending',
    ],
    [
      'running, failed for an older generation ⇒ retry now',
      input('running', {}, { phase: 'Failed', observedGeneration: 2, conditions: failedAt(1000) }),
      'ensureRunning',
      'Pending',
    ],
    [
      'stopped, running ⇒ stop',
      input('stopped', { state: 'ready', templateHash: 'h1' }),
      'ensureStopped',
      'Stopping',
    ],
    ['stopped, terminating ⇒ wait', input('stopped', { state: 'terminating' }), 'none', 'Stopping'],
    ['stopped, nothing ⇒ stopped', input('stopped', {}), 'none', 'Stopped'],
    [
      'deleted, running ⇒ delete',
      input('deleted', { state: 'ready', templateHash: 'h1' }),
      'ensureDeleted',
      'Deleting',
    ],
    [
      'deleted, nothing ⇒ final cleanup',
      input('deleted', {}, { phase: 'Deleting' }),
      'ensureDeleted',
      'Deleted',
    ],
    ['deleted and done ⇒ converged', input('deleted', {}, { phase: 'Deleted' }), 'none', 'Deleted'],
    ['row gone ⇒ clean up', input(null, { state: 'ready' }), 'ensureDeleted', 'Deleting'],
  ])('%s', (_name, i, action, phase) => {
    const p = plan(i);
    expect(p.action).toBe(action);
    expect(p.phase).toBe(phase);
  });

  it('reports failure with a human-readable reason and a terminal progress', () => {
    const p = plan(
      input('running', {
        state: 'failed',
        templateHash: 'h1',
        reason: 'ConfigRejected',
        message: 'Invalid config at openclaw.json',
      }),
    );
    expect(p.reason).toBe('ConfigRejected');
    expect(p.lastError).toContain('Invalid config');
    expect(p.progress).toBe(100);
    expect(p.conditions.find((c) => c.type === 'Failed')?.status).toBe('True');
  });

  it('marks Ready only for a matching, ready workload', () => {
    expect(
      plan(input('running', { state: 'ready', templateHash: 'h1' })).conditions.find(
        (c) => c.type === 'Ready',
      )?.status,
    ).toBe('True');
    expect(
      plan(input('running', { state: 'starting', templateHash: 'h1' })).conditions.find(
        (c) => c.type === 'Ready',
      )?.status,
    ).toBe('False');
  });

  it('a runtime waiting for a start slot does not hold one', () => {
    const queued = plan(input('running', {}, {}, { startSlotFree: false }));
    expect(queued.reason).toBe('Queued');
    expect(queued.starting).toBe(false);
  });

  it('holds a start slot only while starting toward running', () => {
    expect(plan(input('running', {})).starting).toBe(true);
    expect(plan(input('running', { state: 'ready', templateHash: 'h1' })).starting).toBe(false);
    expect(plan(input('stopped', { state: 'ready' })).starting).toBe(false);
  });

  it('a crash while starting does not move progress backwards', () => {
    const starting =
      plan(input('running', { state: 'starting', templateHash: 'h1' })).progress ?? 0;
    const crashed =
      plan(input('running', { state: 'crashed', templateHash: 'h1', restarts: 1 })).progress ?? 0;
    expect(crashed).toBeGreaterThanOrEqual(starting);
  });

  it('progress increases through a start', () => {
    const steps: Partial<ObservedRuntime>[] = [
      {},
      { state: 'preparing', templateHash: 'h1', progress: 0 },
      { state: 'preparing', templateHash: 'h1', progress: 100 },
      { state: 'starting', templateHash: 'h1' },
      { state: 'ready', templateHash: 'h1' },
    ];
    const progress = steps.map((o) => plan(input('running', o)).progress ?? 0);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    expect(progress.at(-1)).toBe(100);
  });
});
