import { createRequire } from 'node:module';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { RateLimitedError } from '../graphql/errors.ts';
import type { Logger } from '../logger.ts';
import { createMaskError } from './mask-error.ts';

// graphql's CommonJS build, as Yoga loads it: a second GraphQLError class in the same process.
const Cjs = createRequire(import.meta.url)('graphql') as { GraphQLError: typeof GraphQLError };
const logged: unknown[] = [];
const mask = createMaskError({ error: (o: unknown) => logged.push(o) } as unknown as Logger);

describe('createMaskError', () => {
  it.each([
    ['ESM', GraphQLError],
    ['CommonJS', Cjs.GraphQLError],
  ])("keeps a domain error's code and message, whichever graphql copy wrapped it (%s)", (_n, E) => {
    const wrapped = new E('x', { originalError: new RateLimitedError(7) });
    expect(JSON.parse(JSON.stringify(mask(wrapped, 'Unexpected error.')))).toMatchObject({
      message: 'Too many attempts. Try again in 7 s.',
      extensions: { code: 'RATE_LIMITED' },
    });
  });

  it('masks anything else as INTERNAL and logs it', () => {
    const before = logged.length;
    const masked = mask(new Cjs.GraphQLError('x', { originalError: new Error('db down') }), 'Oops');
    expect(JSON.parse(JSON.stringify(masked))).toMatchObject({
      message: 'Oops',
      extensions: { code: 'INTERNAL' },
    });
    expect(JSON.stringify(masked)).not.toContain('db down');
    expect(logged.length).toBe(before + 1);
  });
});
