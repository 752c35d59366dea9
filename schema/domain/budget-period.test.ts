import { describe, expect, it } from 'vitest';
import { budgetWindowStart, periodEnd, periodStart } from './budget-period.ts';

const at = (iso: string) => new Date(iso);

describe('budget periods (UTC)', () => {
  it('day, week (Monday) and month boundaries', () => {
    const now = at('2026-03-05T13:14:15Z'); // a Thursday
    expect(periodStart('day', now).toISOString()).toBe('2026-03-05T00:00:00.000Z');
    expect(periodEnd('day', now).toISOString()).toBe('2026-03-06T00:00:00.000Z');
    expect(periodStart('week', now).toISOString()).toBe('2026-03-02T00:00:00.000Z');
    expect(periodEnd('week', now).toISOString()).toBe('2026-03-09T00:00:00.000Z');
    expect(periodStart('month', now).toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(periodEnd('month', now).toISOString()).toBe('2026-04-01T00:00:00.000Z');
  });

  it('a Sunday belongs to the week that started the Monday before; December rolls the year', () => {
    expect(periodStart('week', at('2026-03-08T23:00:00Z')).toISOString()).toBe(
      '2026-03-02T00:00:00.000Z',
    );
    expect(periodEnd('month', at('2026-12-31T23:59:59Z')).toISOString()).toBe(
      '2027-01-01T00:00:00.000Z',
    );
  });

  it('a manual reset inside the period moves the window start; an old or future one does not', () => {
    const now = at('2026-03-05T13:00:00Z');
    const reset = at('2026-03-05T10:00:00Z');
    expect(budgetWindowStart('day', reset, now)).toEqual(reset);
    expect(budgetWindowStart('day', at('2026-03-04T10:00:00Z'), now).toISOString()).toBe(
      '2026-03-05T00:00:00.000Z',
    );
    expect(budgetWindowStart('day', at('2026-03-06T00:00:00Z'), now).toISOString()).toBe(
      '2026-03-05T00:00:00.000Z',
    );
    expect(budgetWindowStart('month', null, now).toISOString()).toBe('2026-03-01T00:00:00.000Z');
  });
});
