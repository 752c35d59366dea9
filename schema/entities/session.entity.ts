import { defineEntity, p } from '@mikro-orm/core';
import { User } from './user.entity.ts';

/** A browser login. The cookie carries a signed proof; only the SHA-256 of its secret is stored. */
export const SessionSchema = defineEntity({
  name: 'Session',
  tableName: 'sessions',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    secretHash: p.string().length(64).unique().hidden(),
    user: () => p.manyToOne(User).index().deleteRule('cascade'),
    createdAt: p.datetime().onCreate(() => new Date()),
    expiresAt: p.datetime(),
    revokedAt: p.datetime().nullable(),
    userAgent: p.string().length(512).nullable(),
    ip: p.string().length(64).nullable(),
  },
});

export class Session extends SessionSchema.class {}
SessionSchema.setClass(Session);
