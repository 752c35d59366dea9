import { ModelRoute } from '../../../../schema/entities/model-route.entity.ts';
import type { RouteRow } from '../../model-proxy/ledger.ts';
import { auditedDenial } from '../../services/audit.ts';
import {
  createRoute,
  deleteRoute,
  listRoutes,
  myModels,
  setRouteCredential,
  updateRoute,
} from '../../services/models.ts';
import { builder } from '../builder.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { COMMON_ERRORS } from './error-types.ts';

export const UpstreamKindEnum = builder.enumType('UpstreamKind', {
  description: 'How the credential proxy talks to the upstream. All speak the OpenAI wire format.',
  values: {
    OPENAI_COMPATIBLE: {
      value: 'openai-compatible',
      description: 'Any OpenAI-compatible API; base URL ends in /v1.',
    },
    LITELLM: {
      value: 'litellm',
      description: 'A LiteLLM proxy; the credential is a LiteLLM (virtual) key.',
    },
    VLLM: { value: 'vllm', description: "vLLM's OpenAI server; base URL ends in /v1." },
    OLLAMA: { value: 'ollama', description: 'An Ollama server root, e.g. http://host:11434.' },
  } as const,
});

const num = (v: unknown) => (v == null ? null : Number(v));

/** Admin view of a route. The upstream credential is write-only: only whether one is set is shown. */
export const ModelRouteRef = builder.objectType(ModelRoute, {
  name: 'ModelRoute',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name', { description: 'Public model name runtimes ask for.' }),
    upstreamKind: t.expose('upstreamKind', { type: UpstreamKindEnum }),
    baseUrl: t.exposeString('baseUrl'),
    upstreamModel: t.exposeString('upstreamModel'),
    hasCredential: t.boolean({ resolve: (r) => r.credentialCiphertext != null }),
    credentialUpdatedAt: t.expose('credentialUpdatedAt', { type: 'DateTime', nullable: true }),
    enabled: t.exposeBoolean('enabled'),
    visible: t.exposeBoolean('visible', {
      description: 'Hidden routes stay callable by grantees but are not listed.',
    }),
    isDefault: t.exposeBoolean('isDefault', {
      description: "Runtimes' primary model when granted.",
    }),
    contextWindow: t.exposeInt('contextWindow', { nullable: true }),
    maxTokens: t.exposeInt('maxTokens', {
      nullable: true,
      description: 'Caps max_tokens on requests.',
    }),
    inputPricePerMTok: t.float({
      resolve: (r) => num(r.inputPricePerMTok),
      nullable: true,
      description: 'USD per million prompt tokens.',
    }),
    outputPricePerMTok: t.float({
      resolve: (r) => num(r.outputPricePerMTok),
      nullable: true,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

/** A model as its user sees it (also what their runtime is configured with). */
const ModelRef = builder.objectRef<RouteRow>('Model').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    isDefault: t.exposeBoolean('isDefault'),
    contextWindow: t.exposeInt('contextWindow', { nullable: true }),
    maxTokens: t.exposeInt('maxTokens', { nullable: true }),
  }),
});

const routeFields = (required: boolean) =>
  builder.inputType(required ? 'CreateModelRouteInput' : 'UpdateModelRouteInput', {
    fields: (t) => ({
      name: t.string({ required }),
      upstreamKind: t.field({ type: UpstreamKindEnum, required: false }),
      baseUrl: t.string({
        required,
        description: 'e.g. https://api.openai.com/v1, http://litellm:4000',
      }),
      upstreamModel: t.string({ required }),
      enabled: t.boolean(),
      visible: t.boolean(),
      isDefault: t.boolean(),
      contextWindow: t.int(),
      maxTokens: t.int(),
      inputPricePerMTok: t.float(),
      outputPricePerMTok: t.float(),
    }),
  });
const CreateInput = routeFields(true);
const UpdateInput = routeFields(false);

const ADMIN_READ = { $all: { admin: true, tokenScope: 'models:read' } } as const;
const ADMIN_WRITE = { $all: { admin: true, tokenScope: 'users:write' } } as const;

builder.queryField('modelRoutes', (t) =>
  t.field({
    type: [ModelRouteRef],
    description: 'Every model route, default first. Admin only.',
    authScopes: ADMIN_READ,
    errors: { types: COMMON_ERRORS },
    resolve: (_root, _args, ctx) => listRoutes(ctx),
  }),
);

builder.queryField('myModels', (t) =>
  t.field({
    type: [ModelRef],
    description: 'Models you may use (granted, enabled, listed), default first.',
    authScopes: { $all: { member: true, tokenScope: 'models:read' } },
    errors: { types: COMMON_ERRORS },
    resolve: (_root, _args, ctx) => myModels(ctx, ctx.viewer?.userId as string),
  }),
);

builder.mutationField('createModelRoute', (t) =>
  t.field({
    type: ModelRouteRef,
    description: 'Adds a route. The credential is encrypted at rest and never returned.',
    authScopes: ADMIN_WRITE,
    unauthorizedResolver: auditedDenial('model.route.create'),
    errors: { types: [...COMMON_ERRORS, ConflictError], directResult: true },
    args: {
      input: t.arg({ type: CreateInput, required: true }),
      credential: t.arg.string({ description: 'Upstream API key (write-only).' }),
    },
    resolve: (_root, args, ctx) => createRoute(ctx, { ...args.input, credential: args.credential }),
  }),
);

builder.mutationField('updateModelRoute', (t) =>
  t.field({
    type: ModelRouteRef,
    description: 'Changes a route; runtimes whose model list changes are re-rendered.',
    authScopes: ADMIN_WRITE,
    unauthorizedResolver: auditedDenial('model.route.update'),
    errors: { types: [...COMMON_ERRORS, NotFoundError, ConflictError], directResult: true },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateInput, required: true }) },
    resolve: (_root, args, ctx) => updateRoute(ctx, String(args.id), args.input),
  }),
);

builder.mutationField('setModelRouteCredential', (t) =>
  t.field({
    type: ModelRouteRef,
    description:
      'Rotates (or, with null, removes) the upstream credential. Proxies use it within a NOTIFY.',
    authScopes: ADMIN_WRITE,
    unauthorizedResolver: auditedDenial('model.route.credential'),
    errors: { types: [...COMMON_ERRORS, NotFoundError], directResult: true },
    args: { id: t.arg.id({ required: true }), credential: t.arg.string({ required: false }) },
    resolve: (_root, args, ctx) =>
      setRouteCredential(ctx, String(args.id), args.credential ?? null),
  }),
);

builder.mutationField('deleteModelRoute', (t) =>
  t.field({
    type: 'ID',
    description: 'Deletes a route and its grants; returns its id.',
    authScopes: ADMIN_WRITE,
    unauthorizedResolver: auditedDenial('model.route.delete'),
    errors: { types: [...COMMON_ERRORS, NotFoundError], directResult: false },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => deleteRoute(ctx, String(args.id)),
  }),
);
