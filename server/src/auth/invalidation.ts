import type { EntityManager } from '@mikro-orm/postgresql';
import { CHANNELS } from '../../../schema/domain/channels.ts';

/** Cache key of a session (see AuthCache). */
export const sessionKey = (id: string) => `session:${id}`;
/** Cache key covering every credential (sessions and API tokens) of a user. */
export const userKey = (id: string) => `user:${id}`;

/**
 * Queues NOTIFYs on `em`'s transaction: PostgreSQL delivers them to every server process only when it
 * commits, so no process drops its cache before the change is visible to its reload.
 */
export async function notifyAuthChange(em: EntityManager, keys: string[]): Promise<void> {
  for (const key of keys)
    await em.execute('select pg_notify(?, ?)', [CHANNELS.authInvalidate, key]);
}
