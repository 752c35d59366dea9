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
    upstreamKind: p.enum(UPSTREAM_KINDS).default('openai-compatible'),
    baseUrl: p.string().length(512),
    upstreamModel: p.string().length(256),
    /** `v1:<iv>:<tag>:<ciphertext>` (AES-256-GCM, route id as AAD); never returned by any API. */
    credentialCiphertext: p.text().nullable().hidden().lazy(),
    credentialUpdatedAt: p.datetime().nullable(),
    enabled: p.boolean().default(true),
    /** Hidden routes stay callable by grantees but are not listed (model lists, runtime config). */
    visible: p.boolean().default(true),
    /** The runtime's primary model when granted (at most one route is the default). */
    isDefault: p.boolean().default(false),
    contextWindow: p.integer().nullable(),
    maxTokens: p.integer().nullable(),
    /** USD per million prompt tokens; with `outputPricePerMTok`, enables cost budgets. */
    inputPricePerMTok: p.double().nullable(),
    outputPricePerMTok: p.double().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});

export class ModelRoute extends ModelRouteSchema.class {}
ModelRouteSchema.setClass(ModelRoute);
