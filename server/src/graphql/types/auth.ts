import { PASSWORD_POLICY } from '../../auth/credentials.ts';
import { auditedDenial } from '../../services/audit.ts';
import { changePassword, login, logout, type SignInResult } from '../../services/sessions.ts';
import { setupFirstAdmin } from '../../services/users.ts';
import { builder } from '../builder.ts';
import {
  ConflictError,
  ForbiddenError,
  RateLimitedError,
  UnauthenticatedError,
} from '../errors.ts';
import { COMMON_ERRORS } from './error-types.ts';
import { ViewerRef } from './viewer.ts';

/** A browser was signed in: the session cookie is in this response's `Set-Cookie`. */
export const SignInPayloadRef = builder.objectRef<SignInResult>('SignInPayload').implement({
  fields: (t) => ({
    viewer: t.field({ type: ViewerRef, resolve: (r) => r.viewer }),
    redirectTo: t.exposeString('redirectTo', {
      description: 'Where the app should go next: `/change-password`, `/admin` or `/`.',
    }),
  }),
});

const PasswordPolicyRef = builder.objectRef<typeof PASSWORD_POLICY>('PasswordPolicy').implement({
  fields: (t) => ({
    minLength: t.exposeInt('minLength'),
    maxLength: t.exposeInt('maxLength'),
    requireLetter: t.exposeBoolean('requireLetter'),
    requireDigit: t.exposeBoolean('requireDigit'),
  }),
});

builder.queryField('passwordPolicy', (t) =>
  t.field({
    type: PasswordPolicyRef,
    description: 'Also: not equal to the username.',
    resolve: () => PASSWORD_POLICY,
  }),
);

builder.mutationField('login', (t) =>
  t.field({
    type: SignInPayloadRef,
    description:
      'Signs in with a username (case-insensitive) and password; sets the session cookie.',
    errors: { types: [UnauthenticatedError, ForbiddenError, RateLimitedError], directResult: true },
    args: {
      username: t.arg.string({ required: true }),
      password: t.arg.string({ required: true }),
    },
    resolve: (_root, args, ctx) => login(ctx, args),
  }),
);

builder.mutationField('logout', (t) =>
  t.boolean({
    description: 'Revokes this session everywhere and clears the cookie. Always succeeds.',
    resolve: (_root, _args, ctx) => logout(ctx),
  }),
);

builder.mutationField('changePassword', (t) =>
  t.field({
    type: SignInPayloadRef,
    description:
      'Changes your password, signs out every other session and issues a fresh session cookie. Allowed while a password change is required.',
    authScopes: { signedIn: true },
    unauthorizedResolver: auditedDenial('auth.changePassword'),
    errors: { types: [...COMMON_ERRORS, RateLimitedError], directResult: true },
    args: {
      currentPassword: t.arg.string({ required: true }),
      newPassword: t.arg.string({ required: true }),
    },
    resolve: (_root, args, ctx) => changePassword(ctx, args),
  }),
);

builder.mutationField('setupFirstAdmin', (t) =>
  t.field({
    type: SignInPayloadRef,
    description:
      'Creates the first admin with the one-time link printed by the server, and signs in.',
    errors: { types: [...COMMON_ERRORS, ConflictError], directResult: true },
    args: {
      token: t.arg.string({ required: true }),
      username: t.arg.string({ required: true }),
      password: t.arg.string({ required: true }),
    },
    resolve: (_root, args, ctx) => setupFirstAdmin(ctx, args),
  }),
);
