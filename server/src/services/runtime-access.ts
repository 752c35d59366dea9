import type { EntityManager } from '@mikro-orm/postgresql';
import type { ApiTokenScope } from '../../../schema/domain/enums.ts';
import type { Viewer } from '../auth/viewer.ts';
import type { EventFilter } from '../events/runtime-event-rows.ts';
import { ForbiddenError, UnauthenticatedError } from '../graphql/errors.ts';
import { auditNow } from './audit.ts';

/** Who acts on runtimes, as recorded in events and the audit log (an `AuditSource` minus the em). */
export interface Actor {
  viewer: Viewer;
  ip: string | null;
}

/** What the runtime services need from a request context (a GraphQL context satisfies it). */
export interface RuntimeRequest {
  em: EntityManager;
  viewer: Viewer | null;
  ip: string | null;
}

export function requireViewer(viewer: Viewer | null): Viewer {
  if (!viewer) throw new UnauthenticatedError();
  if (viewer.mustChangePassword) {
    throw new ForbiddenError('Change your password first.', 'PASSWORD_CHANGE_REQUIRED');
  }
  return viewer;
}

export function isAdmin(viewer: Viewer): boolean {
  return viewer.role === 'admin' && !viewer.mustChangePassword;
}

/** Sessions carry every scope; API tokens only those they were created with. */
export function requireScope(viewer: Viewer, scope: ApiTokenScope): void {
  if (viewer.tokenScopes && !viewer.tokenScopes.includes(scope)) {
    throw new ForbiddenError(`This API token lacks the ${scope} scope.`, 'INSUFFICIENT_SCOPE');
  }
}

/** Admins may act on any runtime; everyone else on their own only. */
export function assertCanActOn(viewer: Viewer, ownerId: string): void {
  if (!isAdmin(viewer) && viewer.userId !== ownerId) {
    throw new ForbiddenError('This runtime belongs to someone else.');
  }
}

export function actorOf(req: Pick<RuntimeRequest, 'ip'>, viewer: Viewer): Actor {
  return { viewer, ip: req.ip };
}

/**
 * The event filter a viewer may subscribe with: admins as asked; everyone else is pinned to their own
 * runtimes, and asking for another owner is refused rather than silently narrowed.
 */
export function eventFilterFor(viewer: Viewer, asked: EventFilter): EventFilter {
  if (isAdmin(viewer)) return asked;
  if (asked.ownerId && asked.ownerId !== viewer.userId) {
    throw new ForbiddenError('You may only watch your own runtimes.');
  }
  return { ...asked, ownerId: viewer.userId };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids reach SQL only when well-formed; anything else simply does not exist. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * Authorises a lifecycle write (signed in, no pending password change, `runtime:write` for API
 * tokens) and records refusals in the audit log — in their own transaction, since the attempt's is
 * rolled back.
 */
export async function auditingDenials<T>(
  req: RuntimeRequest,
  action: string,
  runtimeId: string | null,
  fn: (viewer: Viewer) => Promise<T>,
): Promise<T> {
  try {
    const viewer = requireViewer(req.viewer);
    requireScope(viewer, 'runtime:write');
    return await fn(viewer);
  } catch (err) {
    if (err instanceof ForbiddenError) {
      const detail = { reason: err.code };
      const target = runtimeId ? { targetType: 'runtime', targetId: runtimeId } : {};
      await auditNow(req, { action, result: 'denied', ...target, detail });
    }
    throw err;
  }
}

/** The acting admin of a background change, as a viewer for events and the audit log. */
export function systemViewer(userId: string, row: Record<string, unknown> | undefined): Viewer {
  return {
    userId,
    username: String(row?.username ?? 'system'),
    role: row?.role === 'admin' ? 'admin' : 'user',
    mustChangePassword: false,
    sessionId: null,
    tokenScopes: null,
    tokenId: null,
  };
}
