import { describe, expect, it } from 'vitest';
import { safeReturn } from './safe-return.ts';

const here = { origin: 'https://claw.example.com', runtimeDomain: 'claw.example.com' };

describe('safeReturn', () => {
  it.each([
    ['/admin/users?x=1', '/admin/users?x=1'],
    ['https://claw.example.com/tokens#a', '/tokens#a'],
    ['https://u-alice.claw.example.com/chat?x=1', 'https://u-alice.claw.example.com/chat?x=1'],
    ['https://U-Alice.claw.example.com/', 'https://u-alice.claw.example.com/'],
  ])('allows %s', (raw, want) => {
    expect(safeReturn(raw, here)).toBe(want);
  });

  it.each([
    null,
    '',
    'https://evil.com/',
    '//evil.com/x',
    'https://claw.example.com.evil.com/',
    'https://u-alice.claw.example.com.evil.com/',
    'https://alice.claw.example.com/',
    'https://x.u-alice.claw.example.com/',
    'https://u-.claw.example.com/',
    'javascript:alert(1)',
    'data:text/html,hi',
    'http://claw.example.com/',
    'https://user:pw@u-alice.claw.example.com/',
    '/login?return=/x',
  ])('refuses %s', (raw) => {
    expect(safeReturn(raw, here)).toBeNull();
  });
});
