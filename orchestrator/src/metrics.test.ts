import { describe, expect, it } from 'vitest';
import { observeTransition, registry } from './metrics.ts';

async function count(name: string, status?: string): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as {
    metricName?: string;
    labels: Record<string, unknown>;
    value: number;
  }[];
  return values
    .filter((v) => v.metricName === `${name}_count` && (!status || v.labels.status === status))
    .reduce((n, v) => n + v.value, 0);
}

describe('observeTransition', () => {
  const spawn = 'clawloops_runtime_spawn_duration_seconds';
  const stop = 'clawloops_runtime_stop_duration_seconds';

  it('counts the first Ready of a generation once; a crash recovery is not a spawn', async () => {
    const before = await count(spawn, 'success');
    const t = { runtimeId: 'r1', generation: 1, desired: 'running' };
    observeTransition({ ...t, from: 'Pending', to: 'Running' }, 3);
    observeTransition({ ...t, from: 'Running', to: 'Starting' }, 60);
    observeTransition({ ...t, from: 'Starting', to: 'Running' }, 61);
    expect(await count(spawn, 'success')).toBe(before + 1);
    observeTransition({ ...t, generation: 2, from: 'Starting', to: 'Running' }, 2);
    expect(await count(spawn, 'success')).toBe(before + 2);
  });

  it('records failures under status="failure" and stops only when a stop was asked for', async () => {
    const failures = await count(spawn, 'failure');
    const stops = await count(stop);
    observeTransition(
      { runtimeId: 'r2', generation: 1, desired: 'running', from: 'Starting', to: 'Failed' },
      9,
    );
    observeTransition(
      { runtimeId: 'r2', generation: 2, desired: 'stopped', from: 'Running', to: 'Stopped' },
      1,
    );
    observeTransition(
      { runtimeId: 'r3', generation: 1, desired: 'running', from: 'Running', to: 'Stopped' },
      1,
    );
    expect(await count(spawn, 'failure')).toBe(failures + 1);
    expect(await count(stop)).toBe(stops + 1);
  });
});
