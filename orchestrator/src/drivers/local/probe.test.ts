import { describe, expect, it } from 'vitest';
import { isStartupOk } from './probe.ts';

describe('isStartupOk', () => {
  it.each([
    ['started', 200, '{"ok":true,"status":"started","version":"2026.9.6","uptimeMs":4789}', true],
    ['starting', 503, '{"ok":false,"status":"starting"}', false],
    ['draining', 503, '{"ok":false,"status":"draining"}', false],
    ['Control UI fallback page', 200, '<!doctype html><title>OpenClaw Control</title>', false],
    ['ok as a string', 200, '{"ok":"true"}', false],
    ['JSON array', 200, '[true]', false],
    ['ok body with wrong status', 500, '{"ok":true}', false],
  ])('%s', (_name, status, body, expected) => {
    expect(isStartupOk(status, body)).toBe(expected);
  });
});
