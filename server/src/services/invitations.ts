import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import type { UserRole } from '../../../schema/domain/enums.ts';
import { Invitation } from '../../../schema/entities/invitation.entity.ts';
import { User } from '../../../schema/entities/user.entity.ts';
import { usernameKey, validateUsername, verifyPassword } from '../auth/credentials.ts';
import { isUuid, randomSecret, sha256Hex } from '../auth/crypto.ts';
import type { Context } from '../context.ts';
import {
  ConflictError,
  type FieldError,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  RateLimitedError,
} from '../graphql/errors.ts';
import { audit, auditNow } from './audit.ts';
import { checkThrottle, redirectFor, type SignInResult, startSession } from './sessions.ts';
import { createUser, hostLabelConflict, hostLabelTaken, usernameRace } from './users.ts';

/** What a public visitor may learn about an invitation link (never the email or who created it). */
export type InvitationState = 'valid' | 'expired' | 'revoked' | 'consumed' | 'not_found';

export interface InvitationPreview {
  state: InvitationState;
  usernameLock: string | null;
  role: UserRole | null;
  expiresAt: Date | null;
}

export interface NewInvitation {
  role: UserRole;
  usernameLock?: string | null;
  email?: string | null;
  /** 1 hour to 30 days. */
  expiresInHours: number;
}

/** The created invitation plus its token and link, which exist only in this one response. */
export interface CreatedInvitation {
  invitation: Invitation;
  token: string;
  url: string;
}

export function stateOf(inv: Invitation, now = Date.now()): InvitationState {
  if (inv.status === 'consumed') return 'consumed';
  if (inv.status === 'revoked') return 'revoked';
  return inv.expiresAt.getTime() <= now ? 'expired' : 'valid';
}

export function listInvitations(em: EntityManager): Promise<Invitation[]> {
  return em.find(Invitation, {}, { orderBy: { createdAt: 'desc' }, limit: 500 });
}

function validateNew(input: NewInvitation): FieldError[] {
  const problems: FieldError[] = [];
  if (
    !Number.isInteger(input.expiresInHours) ||
    input.expiresInHours < 1 ||
    input.expiresInHours > 720
  ) {
    problems.push({ path: 'expiresInHours', message: 'must be a whole number from 1 to 720' });
  }
  if (input.usernameLock) problems.push(...validateUsername(input.usernameLock, 'usernameLock'));
  if (input.email && (input.email.length > 254 || !/^[^\s@]+@[^\s@]+$/.test(input.email))) {
    problems.push({ path: 'email', message: 'is not an email address' });
  }
  return problems;
}

export async function createInvitation(
  ctx: Context,
  input: NewInvitation,
): Promise<CreatedInvitation> {
  const problems = validateNew(input);
  if (problems.length) throw new InvalidInputError(problems);
  if (
    input.usernameLock &&
    (await ctx.em.count(User, { usernameKey: usernameKey(input.usernameLock) }))
  ) {
    throw new ConflictError('A user with this username already exists.', 'USERNAME_TAKEN');
  }
  if (input.usernameLock && (await hostLabelTaken(ctx.em, input.usernameLock)))
    throw hostLabelConflict();
  const token = randomSecret();
  const invitation = ctx.em.create(Invitation, {
    id: crypto.randomUUID(),
    tokenHash: sha256Hex(token),
    usernameLock: input.usernameLock || null,
    email: input.email || null,
    role: input.role,
    expiresAt: new Date(Date.now() + input.expiresInHours * 3_600_000),
    createdBy: ctx.viewer ? ctx.em.getReference(User, ctx.viewer.userId) : null,
  });
  audit(ctx.em, ctx, {
    action: 'invitation.create',
    result: 'ok',
    targetType: 'Invitation',
    targetId: invitation.id,
    detail: { role: input.role },
  });
  await ctx.em.flush();
  return {
    invitation,
    token,
    url: new URL(`/invite/${token}`, ctx.deps.config.PUBLIC_URL).toString(),
  };
}

/** Revokes a pending (or expired) invitation. Idempotent; a consumed one cannot be revoked. */
export async function revokeInvitation(ctx: Context, id: string): Promise<Invitation> {
  const inv = isUuid(id) ? await ctx.em.findOne(Invitation, { id }) : null;
  if (!inv) throw new NotFoundError('Invitation');
  if (inv.status === 'consumed') {
    await auditNow(ctx, {
      action: 'invitation.revoke',
      result: 'denied',
      targetType: 'Invitation',
      targetId: id,
      detail: { reason: 'INVITATION_CONSUMED' },
    });
    throw new ConflictError(
      'This invitation was already used; disable the user instead.',
      'INVITATION_CONSUMED',
    );
  }
  if (inv.status === 'pending') {
    inv.status = 'revoked';
    inv.revokedAt = new Date();
  }
  audit(ctx.em, ctx, {
    action: 'invitation.revoke',
    result: 'ok',
    targetType: 'Invitation',
    targetId: id,
  });
  await ctx.em.flush();
  return inv;
}

/**
 * What an invitation link leads to. Public, so it is also an oracle for guessed tokens: unknown ones
 * count against the caller's IP in the login throttle, and a throttled IP learns nothing.
 */
export async function previewInvitation(ctx: Context, token: string): Promise<InvitationPreview> {
  const throttle = ctx.deps.authenticator.loginThrottle;
  const wait = throttle.ipRetryAfterSeconds(ctx.ip);
  if (wait > 0) throw new RateLimitedError(wait);
  const inv =
    token.length <= 100 ? await ctx.em.findOne(Invitation, { tokenHash: sha256Hex(token) }) : null;
  if (!inv) {
    throttle.guessFailed(ctx.ip);
    return { state: 'not_found', usernameLock: null, role: null, expiresAt: null };
  }
  return {
    state: stateOf(inv),
    usernameLock: inv.usernameLock ?? null,
    role: inv.role,
    expiresAt: inv.expiresAt,
  };
}

export interface AcceptResult extends SignInResult {
  /** True when this was a repeat of an accept that already succeeded for the same user. */
  replayed: boolean;
}

export interface AcceptInput {
  token: string;
  username: string;
  password: string;
}

/**
 * Creates the invited user (with the invitation's role), consumes the invitation and signs in.
 * Idempotent for the same person: replaying with the username and password that consumed it signs
 * in again (`replayed: true`), so a lost response can simply be retried; anyone else gets a conflict.
 * Every refusal is audited; password mismatches and unknown tokens feed the login throttle.
 */
export async function acceptInvitation(ctx: Context, input: AcceptInput): Promise<AcceptResult> {
  const action = 'invitation.accept';
  await checkThrottle(ctx, action, input.username);
  try {
    const result = await ctx.em
      .transactional((em) => acceptLocked(em, ctx, input))
      .catch(usernameRace);
    ctx.responseCookies.push(result.cookie);
    return {
      viewer: result.viewer,
      replayed: result.replayed,
      redirectTo: redirectFor(result.viewer),
    };
  } catch (err) {
    if (err instanceof NotFoundError) ctx.deps.authenticator.loginThrottle.guessFailed(ctx.ip);
    const reason = (err as { code?: string }).code;
    if (reason)
      await auditNow(ctx, {
        action,
        result: 'denied',
        actorLabel: input.username,
        detail: { reason },
      });
    throw err;
  }
}

async function acceptLocked(em: EntityManager, ctx: Context, input: AcceptInput) {
  const inv =
    input.token.length <= 100
      ? await em.findOne(
          Invitation,
          { tokenHash: sha256Hex(input.token) },
          { lockMode: LockMode.PESSIMISTIC_WRITE },
        )
      : null;
  if (!inv) throw new NotFoundError('Invitation');
  if (inv.status === 'consumed') return replay(em, ctx, inv, input);
  const state = stateOf(inv);
  if (state === 'revoked')
    throw new ConflictError('This invitation was revoked.', 'INVITATION_REVOKED');
  if (state === 'expired')
    throw new ConflictError('This invitation has expired.', 'INVITATION_EXPIRED');
  if (inv.usernameLock && usernameKey(inv.usernameLock) !== usernameKey(input.username)) {
    throw new InvalidInputError([{ path: 'username', message: `must be ${inv.usernameLock}` }]);
  }
  const user = await createUser(em, {
    username: input.username,
    password: input.password,
    role: inv.role,
    email: inv.email,
  });
  inv.status = 'consumed';
  inv.consumedBy = user;
  inv.consumedAt = new Date();
  user.lastLoginAt = inv.consumedAt;
  const session = await startSession(em, ctx, user);
  audit(
    em,
    { viewer: session.viewer, ip: ctx.ip },
    {
      action: 'invitation.accept',
      result: 'ok',
      targetType: 'Invitation',
      targetId: inv.id,
      detail: { replayed: false },
    },
  );
  return { ...session, replayed: false };
}

async function replay(em: EntityManager, ctx: Context, inv: Invitation, input: AcceptInput) {
  const owner = inv.consumedBy
    ? await em.findOne(User, { id: inv.consumedBy.id }, { populate: ['passwordHash'] })
    : null;
  const sameName = owner !== null && owner.usernameKey === usernameKey(input.username);
  if (!owner || !sameName || !(await verifyPassword(owner.passwordHash, input.password))) {
    if (sameName) ctx.deps.authenticator.loginThrottle.failed(usernameKey(input.username), ctx.ip);
    throw new ConflictError('This invitation has already been used.', 'INVITATION_CONSUMED');
  }
  if (owner.status !== 'active')
    throw new ForbiddenError('This account is disabled.', 'USER_DISABLED');
  owner.lastLoginAt = new Date();
  const session = await startSession(em, ctx, owner);
  audit(
    em,
    { viewer: session.viewer, ip: ctx.ip },
    {
      action: 'invitation.accept',
      result: 'ok',
      targetType: 'Invitation',
      targetId: inv.id,
      detail: { replayed: true },
    },
  );
  return { ...session, replayed: true };
}
