import { User } from '../../../schema/entities/user.entity.ts';
import { isUuid } from '../auth/crypto.ts';
import type { Context } from '../context.ts';
import { InvalidInputError, NotFoundError } from '../graphql/errors.ts';
import { audit } from './audit.ts';

/**
 * Sets (or, with null, removes) a user's own limit on running runtimes. Takes effect at their next
 * start; runtimes already running are not stopped.
 */
export function setUserRuntimeLimit(
  ctx: Context,
  userId: string,
  max: number | null,
): Promise<User> {
  if (max !== null && !(Number.isInteger(max) && max >= 0 && max <= 1000))
    throw new InvalidInputError([
      { path: 'maxRunningRuntimes', message: 'must be a whole number from 0 to 1000, or null' },
    ]);
  return ctx.em.transactional(async (em) => {
    const user = isUuid(userId) ? await em.findOne(User, { id: userId }) : null;
    if (!user) throw new NotFoundError('User');
    const from = user.maxRunningRuntimes ?? null;
    user.maxRunningRuntimes = max;
    audit(em, ctx, {
      action: 'user.setRuntimeLimit',
      result: 'ok',
      targetType: 'User',
      targetId: user.id,
      detail: { from, to: max },
    });
    await em.flush();
    return user;
  });
}
