import { describe, expect, it } from 'vitest';
import { breakerTrips, isTransientError } from './failure.ts';

const apiError = (code: number) => Object.assign(new Error(`HTTP ${code}`), { code });

describe('isTransientError', () => {
  it.each([
    ['API 500', apiError(500), true],
    ['API 503', apiError(503), true],
    ['API 409 conflict (a lost race)', apiError(409), true],
    ['API 429', apiError(429), true],
    ['API 422 invalid object', apiError(422), false],
    ['API 403 forbidden (RBAC)', apiError(403), false],
    ['API 404', apiError(404), false],
    ['connection refused', Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), true],
    ['undici socket error', Object.assign(new Error('x'), { code: 'UND_ERR_SOCKET' }), true],
    ['PostgreSQL shutting down', Object.assign(new Error('x'), { code: '57P01' }), true],
    ['socket hang up', new Error('socket hang up'), true],
    ['wrapped in a cause', new Error('apply failed', { cause: apiError(502) }), true],
    ['a plain bug', new TypeError('x is undefined'), false],
    ['not an error', 'boom', false],
  ])('%s ⇒ %s', (_, err, transient) => {
    expect(isTransientError(err)).toBe(transient);
  });
});

describe('breakerTrips', () => {
  const limits = { max: 5, transientSpanMs: 120_000 };
  it.each([
    ['4 permanent errors', { count: 4, sinceMs: 0, transient: false }, 1_000, false],
    ['5 permanent errors, at once', { count: 5, sinceMs: 0, transient: false }, 1_000, true],
    [
      '5 transient errors within the span',
      { count: 5, sinceMs: 0, transient: true },
      60_000,
      false,
    ],
    [
      '50 transient errors within the span',
      { count: 50, sinceMs: 0, transient: true },
      119_999,
      false,
    ],
    [
      'transient errors for the whole span',
      { count: 5, sinceMs: 0, transient: true },
      120_000,
      true,
    ],
    ['long but too few', { count: 4, sinceMs: 0, transient: true }, 999_999, false],
  ])('%s ⇒ %s', (_, failures, nowMs, trips) => {
    expect(breakerTrips(failures, nowMs, limits)).toBe(trips);
  });
});
