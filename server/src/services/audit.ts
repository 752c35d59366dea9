import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import type { AuditResult } from '../../../schema/domain/enums.ts';
import { AuditEvent } from '../../../schema/entities/audit-event.entity.ts';
import type { Viewer } from '../auth/viewer.ts';
import type { Context } from '../context.ts';

/** Who acted and from where: every GraphQL context satisfies this. */
export interface AuditSource {
  viewer: Viewer | null;
  ip: string | null;
  em: EntityManager;
}

/** One audit record. Never put secrets (passwords, tokens) in `detail`. */
export interface AuditEntry {
  /** `area.verb`, e.g. `auth.login`, `user.setStatus`. */
  action: string;
  result: AuditResult;
  targetType?: string;
  targetId?: string;
  /** Label when there is no viewer, e.g. the username a login attempted. @default 'anonymous' */
  actorLabel?: string;
  detail?: Record<string, unknown>;
}

function build(
  em: EntityManager,
  src: Pick<AuditSource, 'viewer' | 'ip'>,
  entry: AuditEntry,
): AuditEvent {
  return em.create(AuditEvent, {
    actorId: src.viewer?.userId ?? null,
    actorLabel: (src.viewer?.username ?? entry.actorLabel ?? 'anonymous').slice(0, 64),
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    result: entry.result,
    ip: src.ip,
    detail: entry.detail ?? null,
  });
}

/** Adds the event to `em`'s unit of work: it commits (or rolls back) with the change it describes. */
export function audit(
  em: EntityManager,
  src: Pick<AuditSource, 'viewer' | 'ip'>,
  entry: AuditEntry,
): void {
  build(em, src, entry);
}

/** Writes the event now, on a fresh unit of work: for denials, whose own changes are discarded. */
export async function auditNow(src: AuditSource, entry: AuditEntry): Promise<void> {
  const em = src.em.fork();
  build(em, src, entry);
  await em.flush();
}

/**
 * Scope-auth `unauthorizedResolver` for mutations: records the denial, then fails with the scope
 * error (which the field's error union turns into `UnauthenticatedError`/`ForbiddenError`).
 */
export function auditedDenial(action: string) {
  return async (
    _parent: unknown,
    _args: unknown,
    ctx: Context,
    _info: unknown,
    error: Error,
  ): Promise<never> => {
    await auditNow(ctx, {
      action,
      result: 'denied',
      detail: { reason: (error as { code?: string }).code ?? 'FORBIDDEN' },
    });
    throw error;
  };
}

export interface AuditFilter {
  action?: string | null;
  actorId?: string | null;
  result?: AuditResult | null;
  since?: Date | null;
}

/** A keyset page, newest first: the shape of Pothos' `resolveCursorConnection` callback. */
export interface KeysetPage {
  before?: string;
  after?: string;
  limit: number;
  inverted: boolean;
}

export async function listAuditEvents(
  em: EntityManager,
  filter: AuditFilter,
  page: KeysetPage,
): Promise<AuditEvent[]> {
  const where: FilterQuery<AuditEvent> = {};
  if (filter.action) where.action = filter.action;
  if (filter.actorId) where.actorId = filter.actorId;
  if (filter.result) where.result = filter.result;
  if (filter.since) where.at = { $gte: filter.since };
  const id: Record<string, string> = {};
  if (page.after && /^\d+$/.test(page.after)) id.$lt = page.after;
  if (page.before && /^\d+$/.test(page.before)) id.$gt = page.before;
  if (Object.keys(id).length) where.id = id;
  return em.find(AuditEvent, where, {
    orderBy: { id: page.inverted ? 'asc' : 'desc' },
    limit: page.limit,
  });
}
