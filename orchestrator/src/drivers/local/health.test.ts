import { describe, expect, it } from 'vitest';
import { judgeProbe, type ProbeAction, type ProbeContext } from './health.ts';

const base: ProbeContext = {
  result: 'not-ready',
  state: 'starting',
  reason: 'Starting',
  failures: 0,
  phaseElapsedMs: 1000,
  startTimeoutMs: 60_000,
};

describe('judgeProbe', () => {
  const cases: [string, Partial<ProbeContext>, ProbeAction][] = [
    ['starting gateway answers', { result: 'ready' }, 'mark-ready'],
    ['adopted gateway answers', { result: 'ready', reason: 'Adopted' }, 'mark-ready'],
    ['ready gateway answers', { result: 'ready', state: 'ready' }, 'keep-ready'],
    ['still starting', {}, 'wait'],
    ['ready gateway misses one probe', { state: 'ready', failures: 0 }, 'tolerate'],
    ['ready gateway misses a third probe', { state: 'ready', failures: 2 }, 'unresponsive'],
    ['fresh gateway past the start timeout', { phaseElapsedMs: 60_001 }, 'fail'],
    [
      'adopted gateway silent past the timeout',
      { reason: 'Adopted', phaseElapsedMs: 60_001 },
      'restart',
    ],
    [
      'hung gateway silent past the timeout',
      { reason: 'Unresponsive', phaseElapsedMs: 60_001 },
      'restart',
    ],
    ['unresponsive gateway recovers', { reason: 'Unresponsive', result: 'ready' }, 'mark-ready'],
  ];
  it.each(cases)('%s', (_name, overrides, expected) => {
    expect(judgeProbe({ ...base, ...overrides })).toBe(expected);
  });
});
