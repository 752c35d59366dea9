import { ApiToken } from '../../../../schema/entities/api-token.entity.ts';
import {
  type CreatedApiToken,
  createApiToken,
  listApiTokens,
  revokeApiToken,
} from '../../services/api-tokens.ts';
import { auditedDenial } from '../../services/audit.ts';
import { builder } from '../builder.ts';
import { NotFoundError } from '../errors.ts';
import { COMMON_ERRORS } from './error-types.ts';

export const ApiTokenScopeEnum = builder.enumType('ApiTokenScope', {
  values: {
    RUNTIME_READ: { value: 'runtime:read' },
    RUNTIME_WRITE: { value: 'runtime:write' },
    USERS_READ: { value: 'users:read' },
    USERS_WRITE: { value: 'users:write' },
    MODELS_READ: { value: 'models:read' },
    AUDIT_READ: { value: 'audit:read' },
  } as const,
});

/** A bearer token (`Authorization: Bearer clt_…`) that acts as its owner, narrowed to its scopes. */
export const ApiTokenRef = builder.objectType(ApiToken, {
  name: 'ApiToken',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    scopes: t.field({ type: [ApiTokenScopeEnum], resolve: (k) => k.scopes }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true }),
    lastUsedAt: t.expose('lastUsedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Updated at most once a minute.',
    }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    active: t.boolean({
      resolve: (k) => !k.revokedAt && (!k.expiresAt || k.expiresAt.getTime() > Date.now()),
    }),
  }),
});

const CreatedApiTokenRef = builder.objectRef<CreatedApiToken>('CreateApiTokenPayload').implement({
  fields: (t) => ({
    apiToken: t.field({ type: ApiTokenRef, resolve: (r) => r.apiToken }),
    token: t.exposeString('token', {
      description: 'The secret. Shown this once; only its hash is stored.',
    }),
  }),
});

builder.queryField('apiTokens', (t) =>
  t.field({
    type: [ApiTokenRef],
    description: 'Your API tokens, newest first.',
    authScopes: { member: true },
    errors: { types: COMMON_ERRORS },
    resolve: (_root, _args, ctx) => listApiTokens(ctx),
  }),
);

builder.mutationField('createApiToken', (t) =>
  t.field({
    type: CreatedApiTokenRef,
    description: 'Creates an API token for yourself (browser session only).',
    authScopes: { member: true },
    unauthorizedResolver: auditedDenial('apiToken.create'),
    errors: { types: COMMON_ERRORS, directResult: true },
    args: {
      name: t.arg.string({ required: true }),
      scopes: t.arg({ type: [ApiTokenScopeEnum], required: true }),
      expiresInDays: t.arg.int({ description: '1–3650; omit for a token that never expires.' }),
    },
    resolve: (_root, args, ctx) => createApiToken(ctx, args),
  }),
);

builder.mutationField('revokeApiToken', (t) =>
  t.field({
    type: ApiTokenRef,
    description: 'Revokes one of your tokens; every server stops accepting it within a second.',
    authScopes: { member: true },
    unauthorizedResolver: auditedDenial('apiToken.revoke'),
    errors: { types: [...COMMON_ERRORS, NotFoundError], directResult: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => revokeApiToken(ctx, String(args.id)),
  }),
);
