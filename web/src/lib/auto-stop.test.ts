import { describe, expect, it } from 'vitest';
import { type AutoStopFields, autoStopNote } from './auto-stop.ts';

const NOW = Date.parse('2026-11-25T10:00:00Z');
const inMin = (m: number) => new Date(NOW + m * 60_000).toISOString();

describe('autoStopNote', () => {
  const cases: [string, AutoStopFields, ReturnType<typeof autoStopNote>][] = [
    ['not running', { desiredState: 'STOPPED', idleStopAt: inMin(5) }, null],
    ['no deadline', { desiredState: 'RUNNING', idleStopAt: null, maxAgeStopAt: null }, null],
    [
      'idle in 12 min',
      { desiredState: 'RUNNING', idleStopAt: inMin(12) },
      { text: 'Stops in 12 min if idle', due: false },
    ],
    [
      'rounded up, never "in 0 min"',
      { desiredState: 'RUNNING', idleStopAt: inMin(11.2) },
      { text: 'Stops in 12 min if idle', due: false },
    ],
    [
      'under a minute',
      { desiredState: 'RUNNING', idleStopAt: inMin(0.5) },
      { text: 'Stops in under a minute if idle', due: false },
    ],
    [
      'hours and minutes',
      { desiredState: 'RUNNING', idleStopAt: inMin(125) },
      { text: 'Stops in 2 h 5 min if idle', due: false },
    ],
    [
      'whole hours',
      { desiredState: 'RUNNING', idleStopAt: inMin(180) },
      { text: 'Stops in 3 h if idle', due: false },
    ],
    [
      'max age first',
      { desiredState: 'RUNNING', idleStopAt: inMin(60), maxAgeStopAt: inMin(30) },
      { text: 'Stops in 30 min (maximum run time)', due: false },
    ],
    [
      'idle first',
      { desiredState: 'RUNNING', idleStopAt: inMin(10), maxAgeStopAt: inMin(300) },
      { text: 'Stops in 10 min if idle', due: false },
    ],
    [
      'idle deadline passed: stale, fetch again',
      { desiredState: 'RUNNING', idleStopAt: inMin(-1) },
      { text: 'Stopping: idle', due: true },
    ],
    [
      'only max age',
      { desiredState: 'RUNNING', idleStopAt: null, maxAgeStopAt: inMin(-2) },
      { text: 'Stopping: maximum run time reached', due: true },
    ],
  ];
  it.each(cases)('%s', (_name, r, expected) => {
    expect(autoStopNote(r, NOW)).toEqual(expected);
  });
});
