import { defineEntity, p } from '@mikro-orm/core';
import type { ApiTokenScope } from '../domain/enums.ts';
import { User } from './user.entity.ts';

/** A bearer token for integrators. Shown once; stored as SHA-256. Acts as its owner, narrowed by scopes. */
export const ApiTokenSchema = defineEntity({
  name: 'ApiToken',
  tableName: 'api_tokens',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    name: p.string().length(100),
    secretHash: p.string().length(64).unique().hidden(),
    owner: () => p.manyToOne(User).index().deleteRule('cascade'),
    scopes: p.json<ApiTokenScope[]>(),
    expiresAt: p.datetime().nullable(),
    lastUsedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class ApiToken extends ApiTokenSchema.class {}
ApiTokenSchema.setClass(ApiToken);
