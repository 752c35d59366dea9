import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { RuntimeProfileEntity } from '../../../schema/entities/runtime-profile.entity.ts';
import { User } from '../../../schema/entities/user.entity.ts';
import { isUuid } from '../auth/crypto.ts';
import type { Context } from '../context.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../graphql/errors.ts';
import { audit } from './audit.ts';
import { type ProfileValues, validateProfile } from './profile-rules.ts';
import { isAdmin, requireViewer } from './runtime-access.ts';

/** Admin input; on update every field is optional (`name` is immutable) and null clears a nullable. */
export type ProfileInput = { [K in keyof ProfileValues]?: ProfileValues[K] | null } & {
  /** Users who may choose the profile when it is not available to all (replaces the list). */
  allowedUserIds?: string[] | null;
};

const DEFAULTS = {
  description: '',
  heapMiB: null,
  openclawVersion: '',
  image: '',
  terminal: false,
  idleTimeoutMinutes: null,
  isDefault: false,
  availableToAll: true,
} satisfies Partial<ProfileValues>;

const ORDER = { isDefault: 'desc', name: 'asc' } as const;

/** Profiles the viewer may choose for their runtime (admins: every profile), default first. */
export async function choosableProfiles(ctx: Context): Promise<RuntimeProfileEntity[]> {
  const viewer = requireViewer(ctx.viewer);
  if (isAdmin(viewer)) return ctx.em.find(RuntimeProfileEntity, {}, { orderBy: ORDER });
  return ctx.em.find(
    RuntimeProfileEntity,
    { $or: [{ availableToAll: true }, { allowedUsers: viewer.userId }] },
    { orderBy: ORDER },
  );
}

/** Runtimes (not deleted or being deleted) started with the profile: it cannot be deleted while any. */
export async function profileUsage(em: EntityManager, name: string): Promise<number> {
  const [row] = await em
    .getConnection()
    .execute<{ n: string }[]>(
      `select count(*) as n from runtimes where profile = ? and desired_state <> 'deleted'`,
      [name],
      'all',
      em.getTransactionContext(),
    );
  return Number(row?.n ?? 0);
}

export function createProfile(ctx: Context, input: ProfileInput): Promise<RuntimeProfileEntity> {
  const values = merged(DEFAULTS, input);
  const errors = validateProfile(values);
  if (errors.length) throw new InvalidInputError(errors);
  return ctx.em.transactional(async (em) => {
    // Inserted as not default: taking the default over comes after (see takeDefault).
    const profile = em.create(RuntimeProfileEntity, {
      ...values,
      isDefault: false,
      id: crypto.randomUUID(),
    });
    await setAllowedUsers(em, profile, input.allowedUserIds);
    await flushUnique(em, profile.name);
    if (values.isDefault) await takeDefault(em, profile);
    audit(em, ctx, {
      action: 'runtime.profile.create',
      result: 'ok',
      targetType: 'RuntimeProfile',
      targetId: profile.id,
      detail: { name: profile.name },
    });
    await em.flush();
    return profile;
  });
}

/** Changes a profile. Runtimes pick the new values up at their next start or restart. */
export function updateProfile(
  ctx: Context,
  id: string,
  input: ProfileInput,
): Promise<RuntimeProfileEntity> {
  return ctx.em.transactional(async (em) => {
    const profile = await findProfile(em, id);
    if (input.name != null && input.name !== profile.name)
      throw new InvalidInputError([
        { path: 'name', message: 'cannot change (runtimes refer to it); create a new profile' },
      ]);
    if (profile.isDefault && input.isDefault === false)
      throw new ConflictError(
        'There must always be a default profile: make another profile the default instead.',
        'DEFAULT_PROFILE_REQUIRED',
      );
    const values = merged(profile, input);
    const errors = validateProfile(values);
    if (errors.length) throw new InvalidInputError(errors);
    Object.assign(profile, values);
    await setAllowedUsers(em, profile, input.allowedUserIds);
    if (values.isDefault) await takeDefault(em, profile);
    audit(em, ctx, {
      action: 'runtime.profile.update',
      result: 'ok',
      targetType: 'RuntimeProfile',
      targetId: profile.id,
      detail: { name: profile.name, fields: Object.keys(input) },
    });
    await em.flush();
    return profile;
  });
}

/** Deletes an unused, non-default profile; returns its id. */
export function deleteProfile(ctx: Context, id: string): Promise<string> {
  return ctx.em.transactional(async (em) => {
    const profile = await findProfile(em, id);
    if (profile.isDefault)
      throw new ConflictError(
        'The default profile cannot be deleted: make another profile the default first.',
        'PROFILE_IS_DEFAULT',
      );
    // Locks the profile row, so a start choosing it (which reads it `for share`) waits or is refused.
    await em.lock(profile, LockMode.PESSIMISTIC_WRITE);
    const used = await profileUsage(em, profile.name);
    if (used > 0)
      throw new ConflictError(
        `Profile "${profile.name}" is used by ${used} runtime(s); they must be deleted or started with another profile first.`,
        'PROFILE_IN_USE',
      );
    em.remove(profile);
    audit(em, ctx, {
      action: 'runtime.profile.delete',
      result: 'ok',
      targetType: 'RuntimeProfile',
      targetId: profile.id,
      detail: { name: profile.name },
    });
    await em.flush();
    return profile.id;
  });
}

async function findProfile(em: EntityManager, id: string): Promise<RuntimeProfileEntity> {
  const profile = isUuid(id) ? await em.findOne(RuntimeProfileEntity, { id }) : null;
  if (!profile) throw new NotFoundError('Runtime profile');
  return profile;
}

function merged(base: Partial<ProfileValues>, input: ProfileInput): ProfileValues {
  const out = { ...base } as Record<string, unknown>;
  for (const [k, v] of Object.entries(input)) {
    if (k === 'allowedUserIds' || v === undefined) continue;
    const nullable = k === 'heapMiB' || k === 'idleTimeoutMinutes';
    if (v !== null || nullable) out[k] = v;
  }
  return out as unknown as ProfileValues;
}

async function setAllowedUsers(
  em: EntityManager,
  profile: RuntimeProfileEntity,
  ids: string[] | null | undefined,
): Promise<void> {
  if (ids == null) return;
  const unique = [...new Set(ids)];
  const users = unique.every(isUuid) ? await em.find(User, { id: { $in: unique } }) : [];
  if (users.length !== unique.length)
    throw new InvalidInputError([
      { path: 'allowedUserIds', message: 'names a user that does not exist' },
    ]);
  // A loaded profile's collection must be read first, or `set` cannot tell what to remove.
  if (!profile.allowedUsers.isInitialized()) await profile.allowedUsers.init();
  profile.allowedUsers.set(users);
}

/** Makes `self` the only default (flushed by the caller). */
async function takeDefault(em: EntityManager, self: RuntimeProfileEntity): Promise<void> {
  const others = await em.find(RuntimeProfileEntity, { isDefault: true, id: { $ne: self.id } });
  if (others.length) {
    // Cleared and flushed first: the partial unique index allows one default at any instant, and
    // the statements of one flush come in no promised order.
    for (const p of others) p.isDefault = false;
    self.isDefault = false;
    await em.flush();
  }
  self.isDefault = true;
}

async function flushUnique(em: EntityManager, name: string): Promise<void> {
  try {
    await em.flush();
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException)
      throw new ConflictError(
        `A runtime profile named "${name}" already exists.`,
        'PROFILE_NAME_TAKEN',
      );
    throw err;
  }
}
