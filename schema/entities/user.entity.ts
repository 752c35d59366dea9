import { defineEntity, p } from '@mikro-orm/core';
import { USER_ROLES, USER_STATUSES } from '../domain/enums.ts';

export const UserSchema = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    /** Shown as typed; uniqueness is case-insensitive through `usernameKey`. */
    username: p.string().length(64),
    /** `lower(username)`; the unique key for logins and lookups. */
    usernameKey: p.string().length(64).unique(),
    email: p.string().length(254).nullable(),
    role: p.enum(USER_ROLES).default('user'),
    status: p.enum(USER_STATUSES).default('active'),
    mustChangePassword: p.boolean().default(false),
    /** argon2id PHC string. Never leaves the server. */
    passwordHash: p.text().nullable().hidden().lazy(),
    lastLoginAt: p.datetime().nullable(),
    lastActivityAt: p.datetime().nullable(),
    /** Runtimes this user may have running at once; null: MAX_RUNNING_RUNTIMES_PER_USER. */
    maxRunningRuntimes: p.integer().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});

export class User extends UserSchema.class {}
UserSchema.setClass(User);
