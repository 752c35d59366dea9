import { describe, expect, it } from 'vitest';
import { isUserHostLabel, userHostLabel } from './slugs.ts';

describe('userHostLabel', () => {
  it.each([
    ['alice', 'u-alice'],
    // Usernames are unique case-insensitively, so case never needs a hash to stay distinct.
    ['Alice', 'u-alice'],
    ['bob.smith', /^u-bob-smith-[0-9a-f]{6}$/],
    ['bob-smith', 'u-bob-smith'],
    ['..', /^u-[0-9a-f]{6}$/],
    ['ünïcode', /^u-n-code-[0-9a-f]{6}$/],
    ['a'.repeat(80), /^u-a{54}-[0-9a-f]{6}$/],
    ['../etc/passwd', /^u-etc-passwd-[0-9a-f]{6}$/],
  ])('%s → %s', (username, expected) => {
    const label = userHostLabel(username);
    if (typeof expected === 'string') expect(label).toBe(expected);
    else expect(label).toMatch(expected);
    expect(label.length).toBeLessThanOrEqual(63);
    expect(isUserHostLabel(label)).toBe(true);
  });

  it('never maps two different usernames (case-insensitively) to one label', () => {
    const names = ['bob.smith', 'bob_smith', 'bob-smith', 'bob smith', 'bob..smith', 'bob-smith-'];
    const labels = new Set(names.map(userHostLabel));
    expect(labels.size).toBe(names.length);
  });
});
