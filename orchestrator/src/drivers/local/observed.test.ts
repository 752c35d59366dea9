import { describe, expect, it } from 'vitest';
import type { ObservedRuntime } from '../driver.ts';
import { transition } from './observed.ts';

const t0 = new Date('2026-11-23T22:00:00Z');
const t1 = new Date('2026-11-23T22:00:05Z');
const preparing: ObservedRuntime = {
  state: 'preparing',
  restarts: 0,
  templateHash: 'h',
  reason: 'Installing',
  progress: 40,
  message: 'Installing OpenClaw',
  since: t0,
};

describe('transition', () => {
  it('keeps `since` within a state and reports progress as a change', () => {
    const { next, changed } = transition(
      preparing,
      'preparing',
      { reason: 'Installing', progress: 60, message: 'Installing OpenClaw' },
      'h',
      t1,
    );
    expect(next.since).toBe(t0);
    expect(changed).toBe(true);
  });

  it('is not a change when nothing visible moved', () => {
    const { changed } = transition(
      preparing,
      'preparing',
      { reason: 'Installing', progress: 40, message: 'Installing OpenClaw' },
      'h',
      t1,
    );
    expect(changed).toBe(false);
  });

  it('drops stale fields and stamps a new state', () => {
    const { next } = transition(
      preparing,
      'ready',
      { reason: 'Ready', endpoint: 'http://127.0.0.1:19100' },
      'h',
      t1,
    );
    expect(next).toEqual({
      state: 'ready',
      restarts: 0,
      templateHash: 'h',
      reason: 'Ready',
      endpoint: 'http://127.0.0.1:19100',
      since: t1,
    });
  });

  it('counts restarts and forgets the template when absent', () => {
    const crashed = transition(
      preparing,
      'crashed',
      { reason: 'CrashLoopBackOff', restarts: 1 },
      'h',
      t1,
    ).next;
    expect(crashed.restarts).toBe(1);
    const absent = transition(crashed, 'absent', {}, 'h', t1).next;
    expect(absent).toEqual({ state: 'absent', restarts: 1, since: t1 });
  });
});
