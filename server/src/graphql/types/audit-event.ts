import { type ResolveCursorConnectionArgs, resolveCursorConnection } from '@pothos/plugin-relay';
import { AuditEvent } from '../../../../schema/entities/audit-event.entity.ts';
import { listAuditEvents } from '../../services/audit.ts';
import { findVisibleUser } from '../../services/users.ts';
import { builder } from '../builder.ts';
import { COMMON_ERRORS } from './error-types.ts';
import { UserRef } from './user.ts';

export const AuditResultEnum = builder.enumType('AuditResult', {
  values: { OK: { value: 'ok' }, DENIED: { value: 'denied' }, ERROR: { value: 'error' } } as const,
});

/** Who did what to what, from where, and whether it was allowed. Never contains secrets. */
export const AuditEventRef = builder.objectType(AuditEvent, {
  name: 'AuditEvent',
  fields: (t) => ({
    id: t.exposeID('id'),
    at: t.expose('at', { type: 'DateTime' }),
    action: t.exposeString('action'),
    result: t.expose('result', { type: AuditResultEnum }),
    actorLabel: t.exposeString('actorLabel', {
      description: 'Username at the time, or `anonymous` / the attempted username.',
    }),
    actor: t.field({
      type: UserRef,
      nullable: true,
      resolve: (e, _a, ctx) => (e.actorId ? findVisibleUser(ctx, e.actorId) : null),
    }),
    targetType: t.exposeString('targetType', { nullable: true }),
    targetId: t.exposeString('targetId', { nullable: true }),
    ip: t.exposeString('ip', { nullable: true }),
    detail: t.expose('detail', { type: 'JSON', nullable: true }),
  }),
});

builder.queryField('auditEvents', (t) =>
  t.connection({
    type: AuditEventRef,
    description: 'The audit log, newest first. Admin only (API tokens need `audit:read`).',
    authScopes: { $all: { admin: true, tokenScope: 'audit:read' } },
    errors: { types: COMMON_ERRORS },
    args: {
      action: t.arg.string(),
      actor: t.arg.globalID({ for: UserRef }),
      result: t.arg({ type: AuditResultEnum }),
      since: t.arg({ type: 'DateTime' }),
    },
    resolve: (_root, args, ctx) =>
      resolveCursorConnection(
        { args, toCursor: (e: AuditEvent) => e.id },
        (page: ResolveCursorConnectionArgs) =>
          listAuditEvents(ctx.em, { ...args, actorId: args.actor?.id }, page),
      ),
  }),
);
