import { API_TOKEN_SCOPES, type ApiTokenScope } from '../../../schema/domain/enums.ts';
import { ApiToken } from '../../../schema/entities/api-token.entity.ts';
import { User } from '../../../schema/entities/user.entity.ts';
import { API_TOKEN_PREFIX } from '../auth/authenticator.ts';
import { isUuid, randomSecret, sha256Hex } from '../auth/crypto.ts';
import { notifyAuthChange, userKey } from '../auth/invalidation.ts';
import type { Viewer } from '../auth/viewer.ts';
import type { Context } from '../context.ts';
import {
  type FieldError,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  UnauthenticatedError,
} from '../graphql/errors.ts';
import { audit, auditNow } from './audit.ts';

export interface NewApiToken {
  name: string;
  scopes: ApiTokenScope[];
  /** 1–3650 days; null/undefined = never expires. */
  expiresInDays?: number | null;
}

/** The created token row plus the secret, which exists only in this one response. */
export interface CreatedApiToken {
  apiToken: ApiToken;
  token: string;
}

/**
 * Token management needs a browser session: a leaked token must not be able to mint more tokens
 * (and so outlive its own revocation), revoke the owner's others, or list them.
 */
async function requireSession(ctx: Context, action: string): Promise<Viewer> {
  if (!ctx.viewer) throw new UnauthenticatedError();
  if (!ctx.viewer.sessionId) {
    await auditNow(ctx, { action, result: 'denied', detail: { reason: 'SESSION_REQUIRED' } });
    throw new ForbiddenError('Manage API tokens from a browser session.', 'SESSION_REQUIRED');
  }
  return ctx.viewer;
}

/** The viewer's tokens. A session only: a token must not list (and so learn of) its siblings. */
export async function listApiTokens(ctx: Context): Promise<ApiToken[]> {
  const viewer = await requireSession(ctx, 'apiToken.list');
  return ctx.em.find(ApiToken, { owner: viewer.userId }, { orderBy: { createdAt: 'desc' } });
}

function validate(input: NewApiToken): FieldError[] {
  const problems: FieldError[] = [];
  const name = input.name.trim();
  if (name.length < 1 || name.length > 100)
    problems.push({ path: 'name', message: 'must be 1–100 characters long' });
  if (input.scopes.length === 0)
    problems.push({ path: 'scopes', message: 'must name at least one scope' });
  if (input.scopes.some((s) => !API_TOKEN_SCOPES.includes(s)))
    problems.push({ path: 'scopes', message: 'contains an unknown scope' });
  const days = input.expiresInDays;
  if (days != null && (!Number.isInteger(days) || days < 1 || days > 3650)) {
    problems.push({ path: 'expiresInDays', message: 'must be a whole number from 1 to 3650' });
  }
  return problems;
}

export async function createApiToken(ctx: Context, input: NewApiToken): Promise<CreatedApiToken> {
  const viewer = await requireSession(ctx, 'apiToken.create');
  const problems = validate(input);
  if (problems.length) throw new InvalidInputError(problems);
  const token = `${API_TOKEN_PREFIX}${randomSecret()}`;
  const days = input.expiresInDays;
  const apiToken = ctx.em.create(ApiToken, {
    id: crypto.randomUUID(),
    name: input.name.trim(),
    secretHash: sha256Hex(token),
    owner: ctx.em.getReference(User, viewer.userId),
    scopes: [...new Set(input.scopes)],
    expiresAt: days ? new Date(Date.now() + days * 86_400_000) : null,
  });
  audit(ctx.em, ctx, {
    action: 'apiToken.create',
    result: 'ok',
    targetType: 'ApiToken',
    targetId: apiToken.id,
    detail: { scopes: apiToken.scopes },
  });
  await ctx.em.flush();
  return { apiToken, token };
}

/** Revokes one of the viewer's tokens; effective on every server process within a NOTIFY. */
export async function revokeApiToken(ctx: Context, id: string): Promise<ApiToken> {
  const viewer = await requireSession(ctx, 'apiToken.revoke');
  const apiToken = await ctx.em.transactional(async (em) => {
    const t = isUuid(id) ? await em.findOne(ApiToken, { id, owner: viewer.userId }) : null;
    if (!t) throw new NotFoundError('API token');
    t.revokedAt ??= new Date();
    await notifyAuthChange(em, [userKey(viewer.userId)]);
    audit(em, ctx, {
      action: 'apiToken.revoke',
      result: 'ok',
      targetType: 'ApiToken',
      targetId: id,
    });
    return t;
  });
  ctx.deps.authenticator.invalidate([userKey(viewer.userId)]);
  return apiToken;
}
