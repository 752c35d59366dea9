import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import ValidationPlugin from '@pothos/plugin-validation';
import type { ApiTokenScope } from '../../../schema/domain/enums.ts';
import type { Context } from '../context.ts';
import { ForbiddenError, InvalidInputError, UnauthenticatedError } from './errors.ts';

/**
 * Scopes, evaluated per request from the viewer:
 * - `signedIn`: any authenticated, active viewer (even one that must change its password);
 * - `member`: signed in and not blocked by a forced password change;
 * - `admin`: member with role admin;
 * - `tokenScope`: sessions have every scope; API tokens only those they were created with.
 */
export interface AuthScopes {
  signedIn: boolean;
  member: boolean;
  admin: boolean;
  tokenScope: ApiTokenScope;
}

export const builder = new SchemaBuilder<{
  Context: Context;
  AuthScopes: AuthScopes;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
  };
}>({
  // ErrorsPlugin must wrap ScopeAuthPlugin (come first) so scope failures become the field's typed
  // UnauthenticatedError/ForbiddenError union members instead of masked INTERNAL errors.
  plugins: [ErrorsPlugin, ScopeAuthPlugin, ValidationPlugin, RelayPlugin, DataloaderPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: (ctx) => ({
      signedIn: ctx.viewer !== null,
      member: ctx.viewer !== null && !ctx.viewer.mustChangePassword,
      admin: ctx.viewer !== null && !ctx.viewer.mustChangePassword && ctx.viewer.role === 'admin',
      tokenScope: (scope) =>
        ctx.viewer !== null && (!ctx.viewer.tokenScopes || ctx.viewer.tokenScopes.includes(scope)),
    }),
    unauthorizedError: (_parent, ctx) =>
      ctx.viewer === null
        ? new UnauthenticatedError()
        : ctx.viewer.mustChangePassword
          ? new ForbiddenError('Change your password first.', 'PASSWORD_CHANGE_REQUIRED')
          : new ForbiddenError(),
  },
  errors: { defaultTypes: [] },
  validation: {
    validationError: (result) =>
      new InvalidInputError(
        result.issues.map((issue) => ({
          path: (issue.path ?? [])
            .map((p) =>
              typeof p === 'object' && p !== null && 'key' in p ? String(p.key) : String(p),
            )
            .join('.'),
          message: issue.message,
        })),
      ),
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeQueryOptions: { nullable: true },
    nodesQueryOptions: false,
  },
});
