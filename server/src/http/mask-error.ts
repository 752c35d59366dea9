import { PothosValidationError } from '@pothos/core';
import { type ExecutionResult, GraphQLError } from 'graphql';
import { type Plugin, maskError as yogaMaskError } from 'graphql-yoga';
import { AuthUnavailableError } from '../auth/viewer.ts';
import { DomainError } from '../graphql/errors.ts';
import type { Logger } from '../logger.ts';

function clientError(error: GraphQLError, message: string, code: string): GraphQLError {
  return new GraphQLError(message, {
    nodes: error.nodes,
    path: error.path,
    extensions: { code, http: { status: 200 } },
  });
}

/** Sign-in could not be checked (database unreachable), thrown bare or wrapped by Yoga. */
function authUnavailable(error: unknown): AuthUnavailableError | null {
  if (error instanceof AuthUnavailableError) return error;
  const original = isGraphQLError(error) ? error.originalError : undefined;
  return original instanceof AuthUnavailableError ? original : null;
}

/**
 * By name, as envelop's masking does: graphql has no `exports` map, so one process can hold two
 * copies of GraphQLError (CommonJS for Yoga, ESM for whoever resolves its `module` field, as vitest
 * does), and `instanceof` against the wrong one would mask every client error as INTERNAL.
 */
function isGraphQLError(error: unknown): error is GraphQLError {
  return error instanceof Error && error.name === 'GraphQLError';
}

/**
 * Yoga's `maskError`. What the client did wrong stays visible with a stable `extensions.code`:
 * Yoga's own request errors (malformed JSON, validation, GET mutations, armor limits), Pothos input
 * errors such as a malformed global id (`BAD_USER_INPUT`), and domain errors thrown outside a typed
 * union (their `code`). Everything else is logged with its stack and sent as `INTERNAL` only.
 */
export function createMaskError(logger: Logger) {
  return (error: unknown, message: string): Error => {
    const unavailable = authUnavailable(error);
    if (unavailable) {
      const extensions = { code: unavailable.code, http: { status: 503 } };
      return new GraphQLError(unavailable.message, { extensions });
    }
    const masked = yogaMaskError(error, message, false);
    if (masked === error) return masked;
    const original = isGraphQLError(error) ? error.originalError : undefined;
    if (isGraphQLError(error) && original instanceof DomainError) {
      return clientError(error, original.message, original.code);
    }
    if (isGraphQLError(error) && original instanceof PothosValidationError) {
      const code = (original as { code?: unknown }).code;
      return clientError(
        error,
        original.message,
        typeof code === 'string' ? code : 'BAD_USER_INPUT',
      );
    }
    logger.error({ err: error }, 'unexpected GraphQL error');
    const ext = (masked as GraphQLError).extensions as Record<string, unknown> | undefined;
    if (ext) {
      ext.code = 'INTERNAL';
      delete ext.unexpected;
    }
    return masked;
  };
}

/**
 * Gives every error in a result a machine-readable `extensions.code`: Yoga's variable-coercion errors
 * (`BAD_USER_INPUT`) and graphql-armor's limits (`QUERY_LIMIT`) come without one.
 */
export function useErrorCodes(): Plugin {
  return {
    onResultProcess({ result }) {
      for (const r of Array.isArray(result) ? result : [result]) {
        for (const e of (r as ExecutionResult | undefined)?.errors ?? []) {
          if (e.extensions?.code) continue;
          Object.assign(e.extensions ?? {}, { code: fallbackCode(e.message, 'BAD_REQUEST') });
        }
      }
    },
  };
}

/**
 * The code of an error that came without one: variable coercion is the client's input, a message
 * naming a limit is graphql-armor's; anything else gets `otherwise`.
 */
export function fallbackCode(message: string, otherwise: string): string {
  if (message.startsWith('Variable "$')) return 'BAD_USER_INPUT';
  return /limit|exceeded/i.test(message) ? 'QUERY_LIMIT' : otherwise;
}
