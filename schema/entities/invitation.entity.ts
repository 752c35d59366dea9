import { defineEntity, p } from '@mikro-orm/core';
import { INVITATION_STATUSES, USER_ROLES } from '../domain/enums.ts';
import { User } from './user.entity.ts';

/**
 * An invitation link. The token is shown exactly once at creation; only its SHA-256 is stored.
 * `expired` is derived from `expiresAt`, never stored.
 */
export const InvitationSchema = defineEntity({
  name: 'Invitation',
  tableName: 'invitations',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    tokenHash: p.string().length(64).unique().hidden(),
    /** When set, the invitee must pick exactly this username (compared case-insensitively). */
    usernameLock: p.string().length(64).nullable(),
    email: p.string().length(254).nullable(),
    role: p.enum(USER_ROLES).default('user'),
    status: p.enum(INVITATION_STATUSES).default('pending'),
    expiresAt: p.datetime(),
    createdBy: () => p.manyToOne(User).nullable().deleteRule('set null'),
    consumedBy: () => p.manyToOne(User).nullable().deleteRule('set null'),
    consumedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class Invitation extends InvitationSchema.class {}
InvitationSchema.setClass(Invitation);
