import { describe, expect, it } from 'vitest';
import type { DesiredState } from '../../../schema/domain/enums.ts';
import { type AutoStopPolicy, autoStop, autoStopPolicy } from './auto-stop.ts';

const MIN = 60_000;
const T0 = new Date('2026-11-25T10:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * MIN);

describe('autoStopPolicy', () => {
  const cases: [string, [number, number], number | null | undefined, AutoStopPolicy][] = [
    [
      'global timeout, no override',
      [60, 0],
      undefined,
      { idleTimeoutMs: 60 * MIN, maxAgeMs: null },
    ],
    ['global off', [0, 0], undefined, { idleTimeoutMs: null, maxAgeMs: null }],
    ['profile overrides', [60, 0], 15, { idleTimeoutMs: 15 * MIN, maxAgeMs: null }],
    ['profile 0 = never', [60, 0], 0, { idleTimeoutMs: null, maxAgeMs: null }],
    ['profile on while global off', [0, 0], 30, { idleTimeoutMs: 30 * MIN, maxAgeMs: null }],
    ['null override: global', [60, 0], null, { idleTimeoutMs: 60 * MIN, maxAgeMs: null }],
    ['negative override ignored', [60, 0], -5, { idleTimeoutMs: 60 * MIN, maxAgeMs: null }],
    ['NaN override ignored', [60, 0], Number.NaN, { idleTimeoutMs: 60 * MIN, maxAgeMs: null }],
    ['fractional minutes', [0.05, 0], undefined, { idleTimeoutMs: 3000, maxAgeMs: null }],
    ['max age in hours', [60, 8], undefined, { idleTimeoutMs: 60 * MIN, maxAgeMs: 8 * 60 * MIN }],
  ];
  it.each(cases)('%s', (_name, [idle, age], override, expected) => {
    const settings = { IDLE_TIMEOUT_MINUTES: idle, MAX_RUNTIME_AGE_HOURS: age };
    expect(autoStopPolicy(settings, override)).toEqual(expected);
  });
});

describe('autoStop', () => {
  const idle60 = { idleTimeoutMs: 60 * MIN, maxAgeMs: null };
  const both = { idleTimeoutMs: 60 * MIN, maxAgeMs: 120 * MIN };
  const off = { idleTimeoutMs: null, maxAgeMs: null };
  type Row = [
    string,
    {
      desired?: DesiredState;
      specAt: number;
      activityAt: number | null;
      now: number;
      policy: AutoStopPolicy;
    },
    { idleStopAt: Date | null; maxAgeStopAt: Date | null; due: 'Idle' | 'MaxAge' | null },
  ];
  const rows: Row[] = [
    [
      'no activity yet: clock runs from the start',
      { specAt: 0, activityAt: null, now: 59, policy: idle60 },
      { idleStopAt: at(60), maxAgeStopAt: null, due: null },
    ],
    [
      'no activity for the whole timeout',
      { specAt: 0, activityAt: null, now: 60, policy: idle60 },
      { idleStopAt: at(60), maxAgeStopAt: null, due: 'Idle' },
    ],
    [
      'recent activity pushes the stop back',
      { specAt: 0, activityAt: 50, now: 100, policy: idle60 },
      { idleStopAt: at(110), maxAgeStopAt: null, due: null },
    ],
    [
      'activity older than the last start does not count (restarted after an idle stop)',
      { specAt: 200, activityAt: 10, now: 230, policy: idle60 },
      { idleStopAt: at(260), maxAgeStopAt: null, due: null },
    ],
    [
      'idle long after the last activity',
      { specAt: 0, activityAt: 30, now: 91, policy: idle60 },
      { idleStopAt: at(90), maxAgeStopAt: null, due: 'Idle' },
    ],
    [
      'max age stops an active runtime',
      { specAt: 0, activityAt: 119, now: 120, policy: both },
      { idleStopAt: at(179), maxAgeStopAt: at(120), due: 'MaxAge' },
    ],
    [
      'both passed: the earlier deadline names the reason',
      { specAt: 0, activityAt: null, now: 500, policy: both },
      { idleStopAt: at(60), maxAgeStopAt: at(120), due: 'Idle' },
    ],
    [
      'no rule: never',
      { specAt: 0, activityAt: null, now: 10_000, policy: off },
      { idleStopAt: null, maxAgeStopAt: null, due: null },
    ],
    [
      'already stopped: nothing to do',
      { desired: 'stopped', specAt: 0, activityAt: null, now: 10_000, policy: both },
      { idleStopAt: null, maxAgeStopAt: null, due: null },
    ],
    [
      'deleted: nothing to do',
      { desired: 'deleted', specAt: 0, activityAt: null, now: 10_000, policy: both },
      { idleStopAt: null, maxAgeStopAt: null, due: null },
    ],
  ];
  it.each(rows)('%s', (_name, r, expected) => {
    const facts = {
      desiredState: r.desired ?? 'running',
      specUpdatedAt: at(r.specAt),
      lastActivityAt: r.activityAt === null ? null : at(r.activityAt),
    };
    expect(autoStop(facts, r.policy, at(r.now))).toEqual(expected);
  });
});
