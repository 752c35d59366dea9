import { defineEntity, p } from '@mikro-orm/core';

/**
 * The usage ledger: one row per request the credential proxy forwarded upstream, append-only and the
 * source of truth for budgets. Plain ids (no foreign keys) so history survives deletions and inserts
 * stay cheap; token counts are what the upstream reported.
 */
export const ModelUsageSchema = defineEntity({
  name: 'ModelUsage',
  tableName: 'model_usage',
  indexes: [{ properties: ['userId', 'at'] }],
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    userId: p.uuid(),
    runtimeId: p.uuid().nullable(),
    routeId: p.uuid().nullable(),
    /** Public model name at the time. */
    model: p.string().length(128),
    /** `chat` | `embeddings`. */
    endpoint: p.string().length(16),
    stream: p.boolean().default(false),
    promptTokens: p.integer().default(0),
    completionTokens: p.integer().default(0),
    costUsd: p.double().nullable(),
    latencyMs: p.integer(),
    /** HTTP status returned to the runtime (499: the runtime went away). */
    status: p.smallint(),
    at: p
      .datetime()
      .onCreate(() => new Date())
      .index(),
  },
});

export class ModelUsage extends ModelUsageSchema.class {}
ModelUsageSchema.setClass(ModelUsage);
