import { describe, expect, it } from 'vitest';
import type { RuntimeViewFragment } from '../gql/graphql.ts';
import { startSteps } from './runtime-progress.tsx';

type Cond = RuntimeViewFragment['status']['conditions'][number];
const cond = (type: Cond['type'], status: Cond['status']): Cond => ({
  __typename: 'RuntimeCondition',
  type,
  status,
  reason: '',
  message: '',
  lastTransitionTime: '2026-01-01T00:00:00Z',
});

function runtime(
  conditions: Cond[],
  s: { upToDate?: boolean; ready?: boolean; failed?: boolean } = {},
) {
  return {
    desiredState: 'RUNNING',
    status: {
      conditions,
      upToDate: s.upToDate ?? true,
      ready: s.ready ?? false,
      failed: s.failed ?? false,
    },
  } as unknown as RuntimeViewFragment;
}

const states = (r: RuntimeViewFragment) => startSteps(r).map((s) => `${s.key}:${s.state}`);

describe('startSteps', () => {
  it('waits at Requested until the orchestrator has seen the spec', () => {
    expect(states(runtime([], { upToDate: false }))).toEqual([
      'REQUESTED:current',
      'SCHEDULED:todo',
      'INSTALLED:todo',
      'STARTED:todo',
      'READY:todo',
    ]);
  });

  it('marks the first step not yet true as current', () => {
    const r = runtime([cond('SCHEDULED', 'TRUE'), cond('INSTALLED', 'FALSE')]);
    expect(states(r)).toEqual([
      'REQUESTED:done',
      'SCHEDULED:done',
      'INSTALLED:current',
      'STARTED:todo',
      'READY:todo',
    ]);
  });

  it('ends in Ready only when the runtime is ready', () => {
    const all = ['SCHEDULED', 'INSTALLED', 'STARTED', 'READY'].map((t) =>
      cond(t as Cond['type'], 'TRUE'),
    );
    expect(states(runtime(all, { ready: true })).every((s) => s.endsWith(':done'))).toBe(true);
    expect(states(runtime(all, { ready: false })).at(-1)).toBe('READY:current');
  });

  it('a failure marks the step it stopped at', () => {
    const r = runtime([cond('SCHEDULED', 'TRUE'), cond('FAILED', 'TRUE')], { failed: true });
    expect(states(r).slice(1, 3)).toEqual(['SCHEDULED:done', 'INSTALLED:failed']);
  });
});
