import type { EntityManager } from '@mikro-orm/postgresql';
import { Session } from '../../../schema/entities/session.entity.ts';
import { User } from '../../../schema/entities/user.entity.ts';
import { clearedSessionCookie, type SessionCookieOptions, sessionCookie } from '../auth/cookies.ts';
import {
  hashPassword,
  usernameKey,
  validatePassword,
  verifyPassword,
} from '../auth/credentials.ts';
import { randomSecret, sha256Hex } from '../auth/crypto.ts';
import { notifyAuthChange, sessionKey, userKey } from '../auth/invalidation.ts';
import { signSessionProof } from '../auth/session-proof.ts';
import type { Viewer } from '../auth/viewer.ts';
import type { Config } from '../config.ts';
import type { Context } from '../context.ts';
import {
  ForbiddenError,
  InvalidInputError,
  RateLimitedError,
  UnauthenticatedError,
} from '../graphql/errors.ts';
import { audit, auditNow } from './audit.ts';

/** Result of anything that signs a browser in. */
export interface SignInResult {
  viewer: Viewer;
  /** Where the SPA should go next: the forced password change, the admin console, or home. */
  redirectTo: string;
}

export function redirectFor(viewer: Pick<Viewer, 'mustChangePassword' | 'role'>): string {
  if (viewer.mustChangePassword) return '/change-password';
  return viewer.role === 'admin' ? '/admin' : '/';
}

export function cookieOptions(config: Config): SessionCookieOptions {
  return { secure: config.COOKIE_SECURE, domain: config.COOKIE_DOMAIN };
}

/**
 * Creates a session row on `em` (committed by the caller) and returns the viewer plus the Set-Cookie
 * value. Callers push the cookie only after their transaction commits, so a failed commit never
 * replaces a working cookie with one for a session that does not exist.
 */
export async function startSession(em: EntityManager, ctx: Context, user: User) {
  const secret = randomSecret();
  const expiresAt = new Date(Date.now() + ctx.deps.config.SESSION_TTL_HOURS * 3_600_000);
  const id = crypto.randomUUID();
  em.create(Session, {
    id,
    secretHash: sha256Hex(secret),
    user,
    expiresAt,
    userAgent: ctx.userAgent?.slice(0, 512) ?? null,
    ip: ctx.ip,
  });
  const proof = await signSessionProof(ctx.deps.secret, { sessionId: id, secret }, expiresAt);
  const viewer: Viewer = {
    userId: user.id,
    username: user.username,
    role: user.role,
    mustChangePassword: user.mustChangePassword,
    sessionId: id,
    tokenId: null,
    tokenScopes: null,
  };
  return { viewer, cookie: sessionCookie(proof, expiresAt, cookieOptions(ctx.deps.config)) };
}

/** Refuses with RateLimitedError (and an audit record) while the throttle says so. */
export async function checkThrottle(ctx: Context, action: string, username: string): Promise<void> {
  const wait = ctx.deps.authenticator.loginThrottle.retryAfterSeconds(
    usernameKey(username),
    ctx.ip,
  );
  if (wait <= 0) return;
  await auditNow(ctx, {
    action,
    result: 'denied',
    actorLabel: username,
    detail: { reason: 'RATE_LIMITED' },
  });
  throw new RateLimitedError(wait);
}

async function findWithPassword(em: EntityManager, username: string): Promise<User | null> {
  if (username.length > 64) return null;
  return em.findOne(User, { usernameKey: usernameKey(username) }, { populate: ['passwordHash'] });
}

/** Password sign-in. Failures are audited (never with the password) and feed the throttle. */
export async function login(
  ctx: Context,
  input: { username: string; password: string },
): Promise<SignInResult> {
  const action = 'auth.login';
  await checkThrottle(ctx, action, input.username);
  const user = await findWithPassword(ctx.em, input.username);
  const ok = await verifyPassword(user?.passwordHash, input.password);
  const deny = (reason: string) =>
    auditNow(ctx, {
      action,
      result: 'denied',
      actorLabel: input.username,
      targetType: 'User',
      targetId: user?.id,
      detail: { reason },
    });
  if (!user || !ok) {
    ctx.deps.authenticator.loginThrottle.failed(usernameKey(input.username), ctx.ip);
    await deny('INVALID_CREDENTIALS');
    throw new UnauthenticatedError('Wrong username or password.', 'INVALID_CREDENTIALS');
  }
  if (user.status !== 'active') {
    await deny('USER_DISABLED');
    throw new ForbiddenError('This account is disabled.', 'USER_DISABLED');
  }
  ctx.deps.authenticator.loginThrottle.succeeded(usernameKey(input.username), ctx.ip);
  user.lastLoginAt = new Date();
  const { viewer, cookie } = await startSession(ctx.em, ctx, user);
  audit(
    ctx.em,
    { viewer, ip: ctx.ip },
    { action, result: 'ok', targetType: 'User', targetId: user.id },
  );
  await ctx.em.flush();
  ctx.responseCookies.push(cookie);
  return { viewer, redirectTo: redirectFor(viewer) };
}

/** Revokes the current session (if any) and clears the cookie. Idempotent. */
export async function logout(ctx: Context): Promise<boolean> {
  const sessionId = ctx.viewer?.sessionId ?? null;
  await ctx.em.transactional(async (em) => {
    if (sessionId) {
      await em.nativeUpdate(Session, { id: sessionId, revokedAt: null }, { revokedAt: new Date() });
      await notifyAuthChange(em, [sessionKey(sessionId)]);
    }
    audit(em, ctx, {
      action: 'auth.logout',
      result: 'ok',
      targetType: 'Session',
      targetId: sessionId ?? undefined,
    });
  });
  if (sessionId) ctx.deps.authenticator.invalidate([sessionKey(sessionId)]);
  ctx.responseCookies.push(clearedSessionCookie(cookieOptions(ctx.deps.config)));
  return true;
}

/**
 * Changes the viewer's password: clears `mustChangePassword`, revokes every session of the user
 * (other browsers included) and signs this browser in again with a fresh session.
 */
export async function changePassword(
  ctx: Context,
  input: { currentPassword: string; newPassword: string },
): Promise<SignInResult> {
  const action = 'auth.changePassword';
  const viewer = ctx.viewer;
  if (!viewer) throw new UnauthenticatedError();
  if (!viewer.sessionId)
    throw new ForbiddenError(
      'Change passwords from a browser session, not with an API token.',
      'SESSION_REQUIRED',
    );
  await checkThrottle(ctx, action, viewer.username);
  const user = await ctx.em.findOne(User, { id: viewer.userId }, { populate: ['passwordHash'] });
  if (!user || !(await verifyPassword(user.passwordHash, input.currentPassword))) {
    ctx.deps.authenticator.loginThrottle.failed(usernameKey(viewer.username), ctx.ip);
    await auditNow(ctx, {
      action,
      result: 'denied',
      targetType: 'User',
      targetId: viewer.userId,
      detail: { reason: 'CURRENT_PASSWORD_INCORRECT' },
    });
    throw new InvalidInputError([{ path: 'currentPassword', message: 'is incorrect' }]);
  }
  const problems = validatePassword(input.newPassword, user.username, 'newPassword');
  if (input.newPassword === input.currentPassword)
    problems.push({ path: 'newPassword', message: 'must differ from the current password' });
  if (problems.length) throw new InvalidInputError(problems);
  const passwordHash = await hashPassword(input.newPassword);
  const result = await ctx.em.transactional(async (em) => {
    const fresh = await em.findOneOrFail(User, { id: user.id });
    fresh.passwordHash = passwordHash;
    fresh.mustChangePassword = false;
    await em.nativeUpdate(Session, { user: user.id, revokedAt: null }, { revokedAt: new Date() });
    await notifyAuthChange(em, [userKey(user.id)]);
    audit(em, ctx, { action, result: 'ok', targetType: 'User', targetId: user.id });
    return startSession(em, ctx, fresh);
  });
  ctx.deps.authenticator.invalidate([userKey(user.id)]);
  ctx.responseCookies.push(result.cookie);
  return { viewer: result.viewer, redirectTo: redirectFor(result.viewer) };
}
