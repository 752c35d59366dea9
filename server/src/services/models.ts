import type { EntityManager } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { CHANNELS } from '../../../schema/domain/channels.ts';
import type { UpstreamKind } from '../../../schema/domain/enums.ts';
import { ModelGrant } from '../../../schema/entities/model-grant.entity.ts';
import { ModelRoute } from '../../../schema/entities/model-route.entity.ts';
import { User } from '../../../schema/entities/user.entity.ts';
import { isUuid } from '../auth/crypto.ts';
import type { Context } from '../context.ts';
import {
  ConflictError,
  type FieldError,
  InvalidInputError,
  NotFoundError,
} from '../graphql/errors.ts';
import { CredentialCipher } from '../model-proxy/credential-cipher.ts';
import { grantedRoutes, type RouteRow } from '../model-proxy/ledger.ts';
import { audit } from './audit.ts';
import { sqlRunner } from './runtime-spec-change.ts';

/** Admin input for a route; on update every field is optional. */
export interface RouteInput {
  name?: string | null;
  upstreamKind?: UpstreamKind | null;
  baseUrl?: string | null;
  upstreamModel?: string | null;
  enabled?: boolean | null;
  visible?: boolean | null;
  isDefault?: boolean | null;
  contextWindow?: number | null;
  maxTokens?: number | null;
  inputPricePerMTok?: number | null;
  outputPricePerMTok?: number | null;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;

function validate(input: RouteInput, creating: boolean): FieldError[] {
  const errors: FieldError[] = [];
  const need = (v: unknown) => creating || v !== undefined;
  if (need(input.name) && !NAME.test(input.name ?? ''))
    errors.push({
      path: 'name',
      message: 'letters, digits and . _ : / - (1–128), starting with a letter or digit',
    });
  if (need(input.baseUrl) && !/^https?:\/\/[^\s]+$/.test(input.baseUrl ?? ''))
    errors.push({ path: 'baseUrl', message: 'must be an http(s) URL' });
  if (need(input.upstreamModel) && !(input.upstreamModel ?? '').trim())
    errors.push({ path: 'upstreamModel', message: 'is required' });
  for (const f of ['contextWindow', 'maxTokens'] as const) {
    const v = input[f];
    if (v != null && (!Number.isInteger(v) || v < 1))
      errors.push({ path: f, message: 'must be a positive whole number' });
  }
  for (const f of ['inputPricePerMTok', 'outputPricePerMTok'] as const) {
    const v = input[f];
    if (v != null && !(v >= 0)) errors.push({ path: f, message: 'must be zero or more' });
  }
  return errors;
}

const cipherOf = (ctx: Context) =>
  CredentialCipher.fromSecrets(ctx.deps.secret, ctx.deps.config.MODEL_CREDENTIAL_KEY);

/**
 * Re-render what changed, on commit: proxies drop their route caches, and every running runtime whose
 * owner is granted one of `routeIds` is re-planned by the orchestrator (its model list is part of the
 * workload's template hash, so a changed list rolls the workload).
 */
export async function notifyModelChange(em: EntityManager, routeIds: string[]): Promise<void> {
  const run = sqlRunner(em);
  await run('select pg_notify(?, ?)', [CHANNELS.modelAccess, 'routes']);
  if (!routeIds.length) return;
  await run(
    `select pg_notify(?, r.id::text) from runtimes r
      where r.desired_state = 'running' and exists (select 1 from model_grants g
        where g.route_id = any(?::uuid[]) and (g.user_id is null or g.user_id = r.owner_id))`,
    [CHANNELS.runtimeSpec, `{${routeIds.join(',')}}`],
  );
}

export function listRoutes(ctx: Context): Promise<ModelRoute[]> {
  return ctx.em.find(
    ModelRoute,
    {},
    { populate: ['credentialCiphertext'], orderBy: { isDefault: 'desc', name: 'asc' } },
  );
}

async function findRoute(em: EntityManager, id: string): Promise<ModelRoute> {
  const route = isUuid(id)
    ? await em.findOne(ModelRoute, { id }, { populate: ['credentialCiphertext'] })
    : null;
  if (!route) throw new NotFoundError('Model route');
  return route;
}

/** Clears the default flag elsewhere; returns the routes that lost it (their grantees re-render). */
async function takeDefault(em: EntityManager, keep: string): Promise<string[]> {
  const others = await em.find(ModelRoute, { isDefault: true, id: { $ne: keep } });
  for (const r of others) r.isDefault = false;
  return others.map((r) => r.id);
}

export async function createRoute(
  ctx: Context,
  input: RouteInput & { credential?: string | null },
): Promise<ModelRoute> {
  const errors = validate(input, true);
  if (errors.length) throw new InvalidInputError(errors);
  return ctx.em.transactional(async (em) => {
    const id = crypto.randomUUID();
    const { credential, ...fields } = input;
    const route = em.create(ModelRoute, {
      ...(Object.fromEntries(Object.entries(fields).filter(([, v]) => v != null)) as RouteInput),
      id,
      name: input.name as string,
      baseUrl: input.baseUrl as string,
      upstreamModel: (input.upstreamModel as string).trim(),
      credentialCiphertext: credential ? cipherOf(ctx).encrypt(credential, id) : null,
      credentialUpdatedAt: credential ? new Date() : null,
    });
    const lost = route.isDefault ? await takeDefault(em, id) : [];
    audit(em, ctx, {
      action: 'model.route.create',
      result: 'ok',
      targetType: 'ModelRoute',
      targetId: id,
      detail: { name: route.name },
    });
    await flushUnique(em, route.name);
    await notifyModelChange(em, [id, ...lost]);
    return route;
  });
}

export async function updateRoute(
  ctx: Context,
  id: string,
  input: RouteInput,
): Promise<ModelRoute> {
  const errors = validate(input, false);
  if (errors.length) throw new InvalidInputError(errors);
  return ctx.em.transactional(async (em) => {
    const route = await findRoute(em, id);
    const nonNull = [
      'name',
      'upstreamKind',
      'baseUrl',
      'upstreamModel',
      'enabled',
      'visible',
      'isDefault',
    ] as const;
    for (const f of nonNull) if (input[f] != null) Object.assign(route, { [f]: input[f] });
    const nullable = [
      'contextWindow',
      'maxTokens',
      'inputPricePerMTok',
      'outputPricePerMTok',
    ] as const;
    for (const f of nullable) if (input[f] !== undefined) Object.assign(route, { [f]: input[f] });
    const lost = input.isDefault ? await takeDefault(em, route.id) : [];
    audit(em, ctx, {
      action: 'model.route.update',
      result: 'ok',
      targetType: 'ModelRoute',
      targetId: route.id,
      detail: { fields: Object.keys(input) },
    });
    await flushUnique(em, route.name);
    await notifyModelChange(em, [route.id, ...lost]);
    return route;
  });
}

/** Replaces (or with null, removes) the upstream credential. The value is never readable again. */
export async function setRouteCredential(
  ctx: Context,
  id: string,
  credential: string | null,
): Promise<ModelRoute> {
  if (credential !== null && (credential.length < 1 || credential.length > 4096))
    throw new InvalidInputError([{ path: 'credential', message: 'must be 1–4096 characters' }]);
  return ctx.em.transactional(async (em) => {
    const route = await findRoute(em, id);
    route.credentialCiphertext = credential ? cipherOf(ctx).encrypt(credential, route.id) : null;
    route.credentialUpdatedAt = new Date();
    audit(em, ctx, {
      action: 'model.route.credential',
      result: 'ok',
      targetType: 'ModelRoute',
      targetId: route.id,
      detail: { cleared: credential === null },
    });
    await em.flush();
    await notifyModelChange(em, []);
    return route;
  });
}

export async function deleteRoute(ctx: Context, id: string): Promise<string> {
  return ctx.em.transactional(async (em) => {
    const route = await findRoute(em, id);
    await notifyModelChange(em, [route.id]); // before the grants go with the route
    em.remove(route);
    audit(em, ctx, {
      action: 'model.route.delete',
      result: 'ok',
      targetType: 'ModelRoute',
      targetId: route.id,
      detail: { name: route.name },
    });
    await em.flush();
    return route.id;
  });
}

/** Grants a route to one user, or to everyone (`userId` null). Granting twice returns the grant. */
export async function grantRoute(
  ctx: Context,
  routeId: string,
  userId: string | null,
): Promise<ModelGrant> {
  return ctx.em.transactional(async (em) => {
    const route = await findRoute(em, routeId);
    if (userId !== null && !(isUuid(userId) && (await em.count(User, { id: userId }))))
      throw new NotFoundError('User');
    const existing = await em.findOne(ModelGrant, { route: route.id, user: userId });
    if (existing) return existing;
    const grant = em.create(ModelGrant, {
      route,
      user: userId ? em.getReference(User, userId) : null,
    });
    audit(em, ctx, {
      action: 'model.grant',
      result: 'ok',
      targetType: 'ModelRoute',
      targetId: route.id,
      detail: { userId },
    });
    await em.flush();
    await notifyModelChange(em, [route.id]);
    return grant;
  });
}

export async function revokeGrant(ctx: Context, grantId: string): Promise<string> {
  return ctx.em.transactional(async (em) => {
    const grant = isUuid(grantId) ? await em.findOne(ModelGrant, { id: grantId }) : null;
    if (!grant) throw new NotFoundError('Model grant');
    await notifyModelChange(em, [grant.route.id]); // while the grant still names who is affected
    em.remove(grant);
    audit(em, ctx, {
      action: 'model.revoke',
      result: 'ok',
      targetType: 'ModelRoute',
      targetId: grant.route.id,
      detail: { userId: grant.user?.id ?? null },
    });
    await em.flush();
    return grantId;
  });
}

export function listGrants(em: EntityManager, routeId: string): Promise<ModelGrant[]> {
  return em.find(
    ModelGrant,
    { route: routeId },
    { populate: ['user'], orderBy: { createdAt: 'asc' } },
  );
}

/** The viewer's usable, listed models (what their runtime is configured with), default first. */
export async function myModels(ctx: Context, userId: string): Promise<RouteRow[]> {
  return (await grantedRoutes(sqlRunner(ctx.em), userId)).filter((r) => r.visible);
}

async function flushUnique(em: EntityManager, name: string): Promise<void> {
  try {
    await em.flush();
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException)
      throw new ConflictError(`A model route named "${name}" already exists.`, 'ROUTE_NAME_TAKEN');
    throw err;
  }
}
