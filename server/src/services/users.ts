import {
  type EntityManager,
  type FilterQuery,
  LockMode,
  UniqueConstraintViolationException,
} from '@mikro-orm/postgresql';
import type { UserRole, UserStatus } from '../../../schema/domain/enums.ts';
import { userHostLabel } from '../../../schema/domain/slugs.ts';
import { Session } from '../../../schema/entities/session.entity.ts';
import { User } from '../../../schema/entities/user.entity.ts';
import {
  hashPassword,
  usernameKey,
  validatePassword,
  validateUsername,
} from '../auth/credentials.ts';
import { isUuid } from '../auth/crypto.ts';
import { adminExists, isValidSetupToken } from '../auth/first-run.ts';
import { notifyAuthChange, userKey } from '../auth/invalidation.ts';
import type { Viewer } from '../auth/viewer.ts';
import type { Context } from '../context.ts';
import {
  ConflictError,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  RateLimitedError,
} from '../graphql/errors.ts';
import { audit, auditNow } from './audit.ts';
import { stopRuntimesOfUser } from './runtimes.ts';
import { redirectFor, type SignInResult, startSession } from './sessions.ts';

export interface UserFilter {
  status?: UserStatus | null;
  role?: UserRole | null;
  /** Case-insensitive substring of username or email. */
  search?: string | null;
}

export function listUsers(
  em: EntityManager,
  filter: UserFilter,
  page: { limit: number; offset: number },
): Promise<User[]> {
  const where: FilterQuery<User> = {};
  if (filter.status) where.status = filter.status;
  if (filter.role) where.role = filter.role;
  if (filter.search) {
    const like = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.$or = [{ username: { $ilike: like } }, { email: { $ilike: like } }];
  }
  return em.find(User, where, {
    orderBy: { usernameKey: 'asc' },
    limit: page.limit,
    offset: page.offset,
  });
}

/** An admin whose credential may read user records (sessions; API tokens with `users:read`). */
export const readsAnyUser = (viewer: Viewer | null): boolean =>
  viewer !== null &&
  viewer.role === 'admin' &&
  !viewer.mustChangePassword &&
  (!viewer.tokenScopes || viewer.tokenScopes.includes('users:read'));

const canRead = (viewer: Viewer, id: string) => viewer.userId === id || readsAnyUser(viewer);

/** A user the viewer may see (itself; anyone for an admin with `users:read`). */
export async function getUser(ctx: Context, id: string): Promise<User> {
  if (!ctx.viewer || !canRead(ctx.viewer, id)) throw new ForbiddenError();
  const user = isUuid(id) ? await ctx.em.findOne(User, { id }) : null;
  if (!user) throw new NotFoundError('User');
  return user;
}

/** `node(id)` loader: null (not an error) when the node is missing or not visible. */
export async function findVisibleUser(ctx: Context, id: string): Promise<User | null> {
  if (!ctx.viewer || !canRead(ctx.viewer, id) || !isUuid(id)) return null;
  return ctx.em.findOne(User, { id });
}

export interface NewUser {
  username: string;
  password: string;
  role: UserRole;
  email?: string | null;
}

/** Validates and adds a user to `em` (the caller commits). */
export async function createUser(em: EntityManager, input: NewUser): Promise<User> {
  const problems = [
    ...validateUsername(input.username),
    ...validatePassword(input.password, input.username),
  ];
  if (problems.length) throw new InvalidInputError(problems);
  const key = usernameKey(input.username);
  if ((await em.count(User, { usernameKey: key })) > 0)
    throw new ConflictError('This username is taken.', 'USERNAME_TAKEN');
  // Serialises account creation, so two new names cannot claim one runtime host at once.
  await em.execute(`select pg_advisory_xact_lock(hashtext('clawloops:user-create'))`);
  if (await hostLabelTaken(em, input.username)) throw hostLabelConflict();
  return em.create(User, {
    id: crypto.randomUUID(),
    username: input.username,
    usernameKey: key,
    email: input.email ?? null,
    role: input.role,
    passwordHash: await hashPassword(input.password),
  });
}

/**
 * Whether another user's runtime host label (`u-<label>`, userHostLabel) is the one `username`
 * would get. Labels that needed no hash never collide, but a hashed label (`bob.smith` →
 * `u-bob-smith-<6 hex>`) is itself a valid username, and 6 hex digits can be matched offline. So
 * every existing name is checked: linear in users, once per account created or invited by name.
 */
export async function hostLabelTaken(em: EntityManager, username: string): Promise<boolean> {
  const label = userHostLabel(username);
  const rows = await em.execute<{ username: string }[]>('select username from users');
  return rows.some((r) => userHostLabel(r.username) === label);
}

export const hostLabelConflict = () =>
  new ConflictError(
    'This username is too close to an existing one: both would open the same runtime address.',
    'USERNAME_TAKEN',
  );

/** Turns the race "two requests create the same username" into the same ConflictError. */
export function usernameRace(err: unknown): never {
  if (err instanceof UniqueConstraintViolationException)
    throw new ConflictError('This username is taken.', 'USERNAME_TAKEN');
  throw err;
}

/**
 * Creates the first admin through the one-time setup link, and signs it in. Wrong tokens count
 * against the caller's IP in the login throttle, as guessed invitation tokens do.
 */
export async function setupFirstAdmin(
  ctx: Context,
  input: { token: string; username: string; password: string },
): Promise<SignInResult> {
  const action = 'auth.setupFirstAdmin';
  const throttle = ctx.deps.authenticator.loginThrottle;
  const wait = throttle.ipRetryAfterSeconds(ctx.ip);
  if (wait > 0) throw new RateLimitedError(wait);
  if (!isValidSetupToken(ctx.deps.secret, input.token)) {
    throttle.guessFailed(ctx.ip);
    await auditNow(ctx, {
      action,
      result: 'denied',
      actorLabel: input.username,
      detail: { reason: 'SETUP_TOKEN_INVALID' },
    });
    throw new ForbiddenError('This setup link is not valid.', 'SETUP_TOKEN_INVALID');
  }
  const result = await ctx.em
    .transactional(async (em) => {
      // Serialises concurrent setups: exactly one of them sees "no admin yet".
      await em.execute(`select pg_advisory_xact_lock(hashtext('clawloops:first-run'))`);
      if (await adminExists(em))
        throw new ConflictError(
          'An admin already exists; the setup link no longer works.',
          'SETUP_COMPLETED',
        );
      const user = await createUser(em, {
        username: input.username,
        password: input.password,
        role: 'admin',
      });
      const session = await startSession(em, ctx, user);
      audit(
        em,
        { viewer: session.viewer, ip: ctx.ip },
        { action, result: 'ok', targetType: 'User', targetId: user.id },
      );
      return session;
    })
    .catch(usernameRace);
  ctx.responseCookies.push(result.cookie);
  return { viewer: result.viewer, redirectTo: redirectFor(result.viewer) };
}

/**
 * Runs an admin change on another user under row locks: every active admin row (in id order, so
 * two admins demoting each other cannot both win) and the target. The actor must still be an active
 * admin in the database — its cached viewer may be up to a NOTIFY old.
 */
async function adminChange(
  ctx: Context,
  id: string,
  action: string,
  change: (em: EntityManager, target: User, actorId: string) => Promise<void>,
): Promise<User> {
  const actor = ctx.viewer;
  if (!actor) throw new ForbiddenError();
  if (actor.userId === id) {
    await auditNow(ctx, {
      action,
      result: 'denied',
      targetType: 'User',
      targetId: id,
      detail: { reason: 'SELF' },
    });
    throw new ForbiddenError('You cannot change your own role or status.', 'CANNOT_CHANGE_SELF');
  }
  const user = await ctx.em.transactional(async (em) => {
    const admins = await em.find(
      User,
      { role: 'admin', status: 'active' },
      { orderBy: { id: 'asc' }, lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (!admins.some((a) => a.id === actor.userId)) throw new ForbiddenError();
    const target = await em.findOne(User, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!target) throw new NotFoundError('User');
    await change(em, target, actor.userId);
    const stillAdmins = admins.filter((a) => a.role === 'admin' && a.status === 'active').length;
    if (stillAdmins < 1)
      throw new ConflictError('At least one active admin must remain.', 'LAST_ADMIN');
    await notifyAuthChange(em, [userKey(id)]);
    return target;
  });
  ctx.deps.authenticator.invalidate([userKey(id)]);
  return user;
}

/** Enables or disables another user. Disabling revokes its sessions and stops its runtimes. */
export function setUserStatus(ctx: Context, id: string, status: UserStatus): Promise<User> {
  return adminChange(ctx, id, 'user.setStatus', async (em, target, actorId) => {
    const from = target.status;
    target.status = status;
    if (status === 'disabled' && from !== 'disabled') {
      await em.nativeUpdate(Session, { user: id, revokedAt: null }, { revokedAt: new Date() });
      await stopRuntimesOfUser(em, id, actorId);
    }
    audit(em, ctx, {
      action: 'user.setStatus',
      result: 'ok',
      targetType: 'User',
      targetId: id,
      detail: { from, to: status },
    });
  });
}

/** Changes another user's role; the last active admin cannot be demoted. */
export function setUserRole(ctx: Context, id: string, role: UserRole): Promise<User> {
  return adminChange(ctx, id, 'user.setRole', async (em, target) => {
    const from = target.role;
    target.role = role;
    audit(em, ctx, {
      action: 'user.setRole',
      result: 'ok',
      targetType: 'User',
      targetId: id,
      detail: { from, to: role },
    });
  });
}
