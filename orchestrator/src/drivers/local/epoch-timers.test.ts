import { describe, expect, it, vi } from 'vitest';
import { EpochTimers } from './epoch-timers.ts';

describe('EpochTimers', () => {
  it('runs callbacks of the current epoch and drops those of an old one', () => {
    vi.useFakeTimers();
    const timers = new EpochTimers();
    const calls: string[] = [];
    const old = timers.epoch;
    timers.schedule(old, 100, () => calls.push('old'));
    timers.every(old, 50, () => calls.push('tick'));
    vi.advanceTimersByTime(120);
    expect(calls).toEqual(['tick', 'old', 'tick']);
    const current = timers.advance();
    timers.schedule(old, 10, () => calls.push('stale'));
    timers.schedule(current, 10, () => calls.push('new'));
    vi.advanceTimersByTime(500);
    expect(calls).toEqual(['tick', 'old', 'tick', 'new']);
    expect(timers.isCurrent(old)).toBe(false);
    vi.useRealTimers();
  });
});
