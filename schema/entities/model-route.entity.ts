import { defineEntity, p } from '@mikro-orm/core';
import { UPSTREAM_KINDS } from '../domain/enums.ts';

/** A model users can reach through the credential proxy. The upstream credential is encrypted at rest. */
export const ModelRouteSchema = defineEntity({
  name: 'ModelRoute',
  tableName: 'model_routes',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    /** Public model name runtimes ask for. */
    name: p.string().length(128).unique(),
    upstreamKind: p.enum(UPSTREAM_KINDS).default('openai'),
    baseUrl: p.string().length(512),
    upstreamModel: p.string().length(256),
    /** AES-GCM ciphertext; never returned by any API. */
    credentialCiphertext: p.text().nullable().hidden().lazy(),
    enabled: p.boolean().default(true),
    visible: p.boolean().default(true),
    contextWindow: p.integer().nullable(),
    maxTokens: p.integer().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class ModelRoute extends ModelRouteSchema.class {}
ModelRouteSchema.setClass(ModelRoute);
