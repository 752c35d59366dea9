import type { CombinedError } from '@urql/core';

/** A typed failure from a `…Result` union (every member implementing `Error` has these). */
export interface TypedError {
  __typename: string;
  code?: string;
  message?: string;
  fieldErrors?: { path: string; message: string }[];
  retryAfterSeconds?: number;
}

/** Words for the codes people actually meet; anything else falls back to the server's message. */
const CODE_WORDS: Record<string, string> = {
  INVALID_CREDENTIALS: 'Wrong username or password.',
  USER_DISABLED: 'This account is disabled. Ask an administrator to enable it.',
  PASSWORD_CHANGE_REQUIRED: 'Change your password before continuing.',
  CSRF_REJECTED: 'The request was refused as a possible forgery. Reload the page and try again.',
  UNAUTHENTICATED: 'Your session has ended. Sign in again.',
  FORBIDDEN: 'You are not allowed to do this.',
};

/** The union member when it is a typed error, else null. */
export function asError<T extends { __typename?: string }>(value: T | null | undefined) {
  if (!value?.__typename?.endsWith('Error')) return null;
  return value as unknown as TypedError;
}

/** One sentence for a typed error (its field errors listed). */
export function describeTyped(err: TypedError): string {
  const base = (err.code && CODE_WORDS[err.code]) || err.message || 'Something went wrong.';
  if (!err.fieldErrors?.length) return base;
  return err.fieldErrors.map((f) => `${fieldLabel(f.path)} ${f.message}.`).join(' ');
}

const fieldLabel = (path: string) => {
  const last = path.split('.').at(-1) ?? path;
  const words = last.replace(/([A-Z])/g, ' $1').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** Field errors keyed by the argument name (`newPassword`), for inline messages. */
export function fieldErrors(err: TypedError | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of err?.fieldErrors ?? []) out[f.path.split('.').at(-1) ?? f.path] = f.message;
  return out;
}

/** Transport and unexpected GraphQL errors, in words. */
export function describeCombined(error: CombinedError | undefined | null): string | null {
  if (!error) return null;
  if (error.networkError) {
    return 'Cannot reach the ClawLoops server. Check your connection; the page retries on its own.';
  }
  const first = error.graphQLErrors[0];
  const code = first?.extensions?.code;
  if (typeof code === 'string' && CODE_WORDS[code]) return CODE_WORDS[code];
  const message = first?.message ?? error.message;
  return message === 'Unexpected error.'
    ? 'The server hit an unexpected error. Try again; if it persists, tell your administrator.'
    : message;
}

/**
 * What went wrong with a mutation, in words: its typed error (a `…Result` union member), else the
 * request's own error; null when it succeeded.
 */
export function describeOutcome(
  value: { __typename?: string } | null | undefined,
  error: CombinedError | undefined | null,
): string | null {
  const typed = asError(value);
  return typed ? describeTyped(typed) : describeCombined(error);
}
