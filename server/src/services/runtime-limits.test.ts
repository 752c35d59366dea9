import { describe, expect, it } from 'vitest';
import { limitVerdict, type RunningCounts, type RuntimeLimits } from './runtime-limits.ts';

const self = { username: 'alice', isViewer: true };
const other = { username: 'bob', isViewer: false };

describe('limitVerdict (one more running runtime)', () => {
  it.each<
    [string, RuntimeLimits, RunningCounts, null | { scope: string; limit: number; current: number }]
  >([
    [
      'no global limit, user under',
      { global: null, perUser: 1 },
      { total: 500, owner: 0, ownerLimit: null },
      null,
    ],
    ['global with room', { global: 3, perUser: 1 }, { total: 2, owner: 0, ownerLimit: null }, null],
    [
      'global full',
      { global: 3, perUser: 1 },
      { total: 3, owner: 0, ownerLimit: null },
      { scope: 'global', limit: 3, current: 3 },
    ],
    [
      'user full',
      { global: null, perUser: 1 },
      { total: 1, owner: 1, ownerLimit: null },
      { scope: 'user', limit: 1, current: 1 },
    ],
    [
      'user override raises',
      { global: null, perUser: 1 },
      { total: 1, owner: 1, ownerLimit: 2 },
      null,
    ],
    [
      'user override 0 refuses',
      { global: null, perUser: 1 },
      { total: 0, owner: 0, ownerLimit: 0 },
      { scope: 'user', limit: 0, current: 0 },
    ],
    [
      'per-user default 0',
      { global: 10, perUser: 0 },
      { total: 0, owner: 0, ownerLimit: null },
      { scope: 'user', limit: 0, current: 0 },
    ],
    [
      'both full: the user limit is named',
      { global: 1, perUser: 1 },
      { total: 1, owner: 1, ownerLimit: null },
      { scope: 'user', limit: 1, current: 1 },
    ],
  ])('%s', (_name, limits, counts, expected) => {
    const verdict = limitVerdict(limits, counts, self);
    if (expected === null) expect(verdict).toBeNull();
    else expect(verdict).toMatchObject({ code: 'RUNTIME_LIMIT_EXCEEDED', ...expected });
  });

  it('says it in words, to the owner or about them', () => {
    const global = limitVerdict(
      { global: 20, perUser: 1 },
      { total: 20, owner: 0, ownerLimit: null },
      self,
    );
    expect(global?.message).toBe(
      'This ClawLoops runs at most 20 runtimes at once, and 20 are running. Try again when one stops, or ask an administrator to raise the limit.',
    );
    const user = { total: 1, owner: 1, ownerLimit: null };
    expect(limitVerdict({ global: null, perUser: 1 }, user, self)?.message).toBe(
      'You may run at most 1 runtime at once, and 1 is running. Stop one first.',
    );
    const none = { total: 0, owner: 0, ownerLimit: 0 };
    expect(limitVerdict({ global: null, perUser: 1 }, none, other)?.message).toBe(
      'bob may not run runtimes. An administrator can allow it.',
    );
  });
});
