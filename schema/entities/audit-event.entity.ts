import { defineEntity, p } from '@mikro-orm/core';
import { AUDIT_RESULTS } from '../domain/enums.ts';

/** Who did what to what, and whether it was allowed. Append-only; never holds secrets. */
export const AuditEventSchema = defineEntity({
  name: 'AuditEvent',
  tableName: 'audit_events',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    actorId: p.uuid().nullable().index(),
    /** Username (or `anonymous`, `system`) at the time of the action. */
    actorLabel: p.string().length(64),
    action: p.string().length(64).index(),
    targetType: p.string().length(32).nullable(),
    targetId: p.string().length(64).nullable(),
    result: p.enum(AUDIT_RESULTS),
    ip: p.string().length(64).nullable(),
    detail: p.json<Record<string, unknown>>().nullable(),
    at: p
      .datetime()
      .onCreate(() => new Date())
      .index(),
  },
});

export class AuditEvent extends AuditEventSchema.class {}
AuditEventSchema.setClass(AuditEvent);
