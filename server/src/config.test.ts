import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.ts';

describe('parseConfig', () => {
  it.each([
    [{}, 'http://localhost:8080'],
    [{ PORT: '8090' }, 'http://localhost:8090'],
    [{ PORT: '0' }, 'http://localhost:8080'],
    [{ PORT: '8090', PUBLIC_URL: 'https://claw.example.com' }, 'https://claw.example.com'],
  ])('PUBLIC_URL for %j is %s (printed links point where the server listens)', (env, url) => {
    expect(parseConfig(env).PUBLIC_URL).toBe(url);
  });

  it('names every bad setting', () => {
    expect(() => parseConfig({ PORT: 'eighty', PUBLIC_URL: 'not a url' })).toThrow(
      /PORT[\s\S]*PUBLIC_URL|PUBLIC_URL[\s\S]*PORT/,
    );
  });
});
