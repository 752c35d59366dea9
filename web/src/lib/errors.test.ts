import { CombinedError } from '@urql/core';
import { describe, expect, it } from 'vitest';
import { asError, describeCombined, describeTyped, fieldErrors } from './errors.ts';

describe('error wording', () => {
  it('recognises typed error members of result unions', () => {
    expect(asError({ __typename: 'SignInPayload' })).toBeNull();
    expect(asError({ __typename: 'ForbiddenError', code: 'X', message: 'm' })).not.toBeNull();
    expect(asError(null)).toBeNull();
  });

  it('prefers our words for known codes, else the server message, and lists field errors', () => {
    expect(
      describeTyped({
        __typename: 'UnauthenticatedError',
        code: 'INVALID_CREDENTIALS',
        message: 'x',
      }),
    ).toBe('Wrong username or password.');
    expect(
      describeTyped({
        __typename: 'ConflictError',
        code: 'LAST_ADMIN',
        message: 'At least one active admin must remain.',
      }),
    ).toBe('At least one active admin must remain.');
    const invalid = {
      __typename: 'InvalidInputError',
      fieldErrors: [{ path: 'input.newPassword', message: 'is too short' }],
    };
    expect(describeTyped(invalid)).toBe('New password is too short.');
    expect(fieldErrors(invalid)).toEqual({ newPassword: 'is too short' });
  });

  it('turns transport and masked errors into sentences', () => {
    expect(
      describeCombined(new CombinedError({ networkError: new Error('fetch failed') })),
    ).toMatch(/Cannot reach the ClawLoops server/);
    expect(
      describeCombined(new CombinedError({ graphQLErrors: [{ message: 'Unexpected error.' }] })),
    ).toMatch(/unexpected error/);
    expect(
      describeCombined(
        new CombinedError({
          graphQLErrors: [{ message: 'no', extensions: { code: 'CSRF_REJECTED' } }],
        }),
      ),
    ).toMatch(/forgery/);
    expect(describeCombined(undefined)).toBeNull();
  });
});
