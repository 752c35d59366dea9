import type { Viewer } from '../../auth/viewer.ts';
import { getUser } from '../../services/users.ts';
import { builder } from '../builder.ts';
import { ApiTokenScopeEnum } from './api-token.ts';
import { UserRef, UserRoleEnum } from './user.ts';

export const AuthMethodEnum = builder.enumType('AuthMethod', {
  values: { SESSION: { value: 'session' }, API_TOKEN: { value: 'api_token' } } as const,
});

/** Who is signed in, as the authenticator established it (no database read). */
export const ViewerRef = builder.objectRef<Viewer>('Viewer').implement({
  fields: (t) => ({
    id: t.globalID({ resolve: (v) => ({ type: 'User', id: v.userId }) }),
    username: t.exposeString('username'),
    role: t.expose('role', { type: UserRoleEnum }),
    isAdmin: t.boolean({ resolve: (v) => v.role === 'admin' }),
    mustChangePassword: t.exposeBoolean('mustChangePassword', {
      description: 'While true, only `viewer`, `changePassword` and `logout` are allowed.',
    }),
    authMethod: t.field({
      type: AuthMethodEnum,
      resolve: (v) => (v.tokenId ? 'api_token' : 'session'),
    }),
    scopes: t.field({
      type: [ApiTokenScopeEnum],
      nullable: true,
      description: 'What an API token may do; null for a browser session (everything).',
      resolve: (v) => v.tokenScopes,
    }),
    user: t.field({
      type: UserRef,
      description: 'The full user record.',
      resolve: (v, _a, ctx) => getUser(ctx, v.userId),
    }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: ViewerRef,
    nullable: true,
    description: 'The signed-in viewer, or null.',
    resolve: (_root, _args, ctx) => ctx.viewer,
  }),
);
