import { resolveOffsetConnection } from '@pothos/plugin-relay';
import { User } from '../../../../schema/entities/user.entity.ts';
import { auditedDenial } from '../../services/audit.ts';
import {
  findVisibleUser,
  getUser,
  listUsers,
  setUserRole,
  setUserStatus,
} from '../../services/users.ts';
import { builder } from '../builder.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { COMMON_ERRORS } from './error-types.ts';

export const UserRoleEnum = builder.enumType('UserRole', {
  values: { ADMIN: { value: 'admin' }, USER: { value: 'user' } } as const,
});

export const UserStatusEnum = builder.enumType('UserStatus', {
  description: 'A disabled user has no valid session or API token and cannot sign in.',
  values: { ACTIVE: { value: 'active' }, DISABLED: { value: 'disabled' } } as const,
});

/** A person with an account. Visible to itself and to admins; `node(id)` returns null otherwise. */
export const UserRef = builder.node(User, {
  name: 'User',
  id: { resolve: (u) => u.id },
  loadOne: (id, ctx) => findVisibleUser(ctx, id),
  fields: (t) => ({
    username: t.exposeString('username'),
    email: t.exposeString('email', { nullable: true }),
    role: t.expose('role', { type: UserRoleEnum }),
    status: t.expose('status', { type: UserStatusEnum }),
    mustChangePassword: t.exposeBoolean('mustChangePassword'),
    lastLoginAt: t.expose('lastLoginAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.queryField('users', (t) =>
  t.connection({
    type: UserRef,
    description: 'Every user, by username. Admin only (API tokens need `users:read`).',
    authScopes: { $all: { admin: true, tokenScope: 'users:read' } },
    errors: { types: COMMON_ERRORS },
    args: {
      status: t.arg({ type: UserStatusEnum }),
      role: t.arg({ type: UserRoleEnum }),
      search: t.arg.string({ description: 'Case-insensitive part of the username or email.' }),
    },
    resolve: (_root, args, ctx) =>
      resolveOffsetConnection({ args }, (page) => listUsers(ctx.em, args, page)),
  }),
);

builder.queryField('user', (t) =>
  t.field({
    type: UserRef,
    description: 'One user: yourself, or anyone for an admin.',
    authScopes: { signedIn: true },
    errors: { types: [...COMMON_ERRORS, NotFoundError], directResult: true },
    args: { id: t.arg.globalID({ for: UserRef, required: true }) },
    resolve: (_root, args, ctx) => getUser(ctx, args.id.id),
  }),
);

builder.mutationField('setUserStatus', (t) =>
  t.field({
    type: UserRef,
    description:
      'Enables or disables another user. Disabling revokes its sessions and API-token access at once and stops its runtimes.',
    authScopes: { $all: { admin: true, tokenScope: 'users:write' } },
    unauthorizedResolver: auditedDenial('user.setStatus'),
    errors: { types: [...COMMON_ERRORS, NotFoundError, ConflictError], directResult: true },
    args: {
      id: t.arg.globalID({ for: UserRef, required: true }),
      status: t.arg({ type: UserStatusEnum, required: true }),
    },
    resolve: (_root, args, ctx) => setUserStatus(ctx, args.id.id, args.status),
  }),
);

builder.mutationField('setUserRole', (t) =>
  t.field({
    type: UserRef,
    description: "Changes another user's role. At least one active admin always remains.",
    authScopes: { $all: { admin: true, tokenScope: 'users:write' } },
    unauthorizedResolver: auditedDenial('user.setRole'),
    errors: { types: [...COMMON_ERRORS, NotFoundError, ConflictError], directResult: true },
    args: {
      id: t.arg.globalID({ for: UserRef, required: true }),
      role: t.arg({ type: UserRoleEnum, required: true }),
    },
    resolve: (_root, args, ctx) => setUserRole(ctx, args.id.id, args.role),
  }),
);
