import { createContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import type { RetentionPolicy, RuntimePhase } from '../../../../schema/domain/enums.ts';
import type { User } from '../../../../schema/entities/user.entity.ts';
import { runtimeAutoStop } from '../../activity/auto-stop.ts';
import type { Context } from '../../context.ts';
import { runtimeLimits } from '../../services/runtime-limits.ts';
import {
  listRuntimes,
  MAX_PAGE,
  myRuntime,
  usersByIds,
  visibleRuntimesByIds,
} from '../../services/runtime-queries.ts';
import type { RuntimeRecord } from '../../services/runtime-record.ts';
import { restartRuntime, startRuntime } from '../../services/runtime-start.ts';
import { deriveProgress, deriveStatus, runtimeOpenUrl } from '../../services/runtime-status.ts';
import { deleteRuntime, stopRuntime } from '../../services/runtimes.ts';
import { builder } from '../builder.ts';
import {
  ConflictError,
  DomainError,
  NotFoundError,
  ProfileNotAllowedError,
  RuntimeLimitExceededError,
} from '../errors.ts';
import { COMMON_ERRORS } from './error-types.ts';
import {
  DesiredStateEnum,
  RetentionPolicyEnum,
  RuntimePhaseEnum,
  RuntimeStatusRef,
} from './runtime-condition.ts';
import { UserRef } from './user.ts';

/** Owners of the runtimes in one operation, fetched in one statement however many runtimes it shows. */
const ownerLoader = createContextCache(
  (ctx: Context) => new DataLoader((ids: readonly string[]) => usersByIds(ctx.em, ids)),
);

export const RuntimeRef = builder.node(builder.objectRef<RuntimeRecord>('Runtime'), {
  description:
    'One OpenClaw runtime: the spec its owner asked for, and the status the orchestrator observed.',
  id: { resolve: (r) => r.id },
  // Invisible (someone else's) and missing runtimes both come back as null.
  loadMany: (ids, ctx) => visibleRuntimesByIds(ctx, ids).catch(nullsOnDenial(ids)),
  fields: (t) => ({
    owner: t.field({ type: UserRef, resolve: (r, _args, ctx) => loadOwner(ctx, r.ownerId) }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    desiredState: t.field({ type: DesiredStateEnum, resolve: (r) => r.desiredState }),
    generation: t.exposeInt('generation', { description: 'Increases with every spec change.' }),
    retentionPolicy: t.field({ type: RetentionPolicyEnum, resolve: (r) => r.retentionPolicy }),
    profile: t.exposeString('profile'),
    runtimeVersion: t.exposeString('runtimeVersion', {
      description: 'Empty: the platform default.',
    }),
    restartNonce: t.exposeInt('restartNonce'),
    specUpdatedAt: t.expose('specUpdatedAt', { type: 'DateTime' }),
    status: t.field({ type: RuntimeStatusRef, resolve: (r) => deriveStatus(r) }),
    progress: t.int({
      description: 'Progress (0–100) towards the desired state.',
      resolve: (r) => deriveProgress(r, null),
    }),
    readyAt: t.expose('readyAt', { type: 'DateTime', nullable: true }),
    lastActivityAt: t.expose('lastActivityAt', {
      type: 'DateTime',
      nullable: true,
      description:
        'Last activity: a request let through to the runtime, WebSocket traffic from a client, or a model call with its key. Written every 30 s, so up to that much behind.',
    }),
    idleStopAt: t.field({
      type: 'DateTime',
      nullable: true,
      description:
        'When the runtime stops (reason `Idle`) unless there is activity before. Null: it is not meant to run, or no idle timeout applies (IDLE_TIMEOUT_MINUTES, the profile’s override).',
      resolve: (r, _args, ctx) => runtimeAutoStop(ctx.deps.config, r).idleStopAt,
    }),
    maxAgeStopAt: t.field({
      type: 'DateTime',
      nullable: true,
      description:
        'When the runtime stops (reason `MaxAge`) however active it is. Null: it is not meant to run, or MAX_RUNTIME_AGE_HOURS is off.',
      resolve: (r, _args, ctx) => runtimeAutoStop(ctx.deps.config, r).maxAgeStopAt,
    }),
    stopReason: t.string({
      nullable: true,
      description:
        'Why it was asked to stop: `StopRequested` (its owner or an admin), `Idle`, `MaxAge`, `OwnerDisabled`. Null unless desiredState is STOPPED. Starting it again is always allowed.',
      resolve: (r) => r.stopReason,
    }),
    openUrl: t.string({
      description: "Where the owner opens the runtime's Control UI.",
      resolve: async (r, _args, ctx) => {
        const owner = await loadOwner(ctx, r.ownerId);
        return runtimeOpenUrl(ctx.deps.config, owner.username);
      },
    }),
  }),
});

async function loadOwner(ctx: Context, ownerId: string): Promise<User> {
  const owner = await ownerLoader(ctx).load(ownerId);
  // The foreign key cascades, so a runtime without its owner is a broken invariant, not a user error.
  if (!owner) throw new Error(`runtime owner ${ownerId} is missing`);
  return owner;
}

function nullsOnDenial(ids: readonly unknown[]) {
  return (err: unknown) => {
    if (err instanceof DomainError) return ids.map(() => null);
    throw err;
  };
}

// Authorisation lives in the services (signed in, no pending password change, token scopes,
// ownership), so refusals come back as typed union members rather than masked errors.
const queryErrors = (name: string) => ({
  types: COMMON_ERRORS,
  directResult: true,
  union: { name: `${name}Result` },
});

builder.queryField('myRuntime', (t) =>
  t.field({
    type: RuntimeRef,
    nullable: true,
    description: 'The viewer’s current runtime (null before the first start).',
    errors: queryErrors('MyRuntime'),
    resolve: (_root, _args, ctx) => myRuntime(ctx),
  }),
);

builder.queryField('runtime', (t) =>
  t.field({
    type: RuntimeRef,
    nullable: true,
    errors: queryErrors('RuntimeById'),
    args: { id: t.arg.globalID({ required: true, for: RuntimeRef }) },
    resolve: async (_root, args, ctx) => (await visibleRuntimesByIds(ctx, [args.id.id]))[0] ?? null,
  }),
);

const RuntimeFilter = builder.inputType('RuntimeFilter', {
  fields: (t) => ({
    phases: t.field({ type: [RuntimePhaseEnum], required: false }),
    ownerId: t.globalID({
      required: false,
      for: UserRef,
      description: 'Admins only; users see their own.',
    }),
    includeDeleted: t.boolean({ required: false, defaultValue: false }),
  }),
});

builder.queryField('runtimes', (t) =>
  t.connection(
    {
      type: RuntimeRef,
      description: `Admins: every runtime; users: their own. Oldest first; at most ${MAX_PAGE} per page.`,
      errors: queryErrors('Runtimes'),
      args: { filter: t.arg({ type: RuntimeFilter, required: false }) },
      resolve: async (_root, args, ctx) => {
        const page = await listRuntimes(ctx, {
          first: args.first,
          after: args.after,
          phases: args.filter?.phases as RuntimePhase[] | null | undefined,
          ownerId: args.filter?.ownerId?.id ?? null,
          includeDeleted: args.filter?.includeDeleted,
        });
        const edges = page.nodes.map((n) => ({ cursor: n.cursor, node: n.runtime }));
        return {
          edges,
          pageInfo: {
            hasNextPage: page.hasNextPage,
            hasPreviousPage: Boolean(args.after),
            startCursor: edges[0]?.cursor ?? null,
            endCursor: edges.at(-1)?.cursor ?? null,
          },
          totalCount: page.totalCount,
        };
      },
    },
    {
      name: 'RuntimeConnection',
      fields: (c) => ({
        totalCount: c.int({
          resolve: (conn) => (conn as { totalCount: () => Promise<number> }).totalCount(),
        }),
      }),
    },
  ),
);

/** Mutation results: the runtime on success, else one of the typed errors (`…Result` unions). */
function lifecycleErrors(name: string) {
  return {
    types: [NotFoundError, ConflictError, ...COMMON_ERRORS],
    directResult: true,
    union: { name: `${name}Result` },
  };
}

/** Starts can also be refused for a limit or a profile the owner may not use. */
function startErrors(name: string) {
  const base = lifecycleErrors(name);
  return { ...base, types: [...base.types, RuntimeLimitExceededError, ProfileNotAllowedError] };
}

builder.mutationField('startRuntime', (t) =>
  t.field({
    type: RuntimeRef,
    description:
      'Asks for the runtime to run. Without `id`: your own, created on first start. `profile` (a name from `runtimeProfiles`) runs it with that profile — on a running runtime that replaces the workload; absent: its current profile (new runtimes: the default). Refused with `RuntimeLimitExceededError` over a running-runtime limit.',
    errors: startErrors('StartRuntime'),
    args: {
      id: t.arg.globalID({ required: false, for: RuntimeRef }),
      profile: t.arg.string({ required: false }),
    },
    resolve: (_root, args, ctx) =>
      startRuntime(ctx, args.id?.id ?? null, {
        profile: args.profile ?? null,
        limits: runtimeLimits(ctx.deps.config),
      }),
  }),
);

builder.mutationField('stopRuntime', (t) =>
  t.field({
    type: RuntimeRef,
    errors: lifecycleErrors('StopRuntime'),
    args: { id: t.arg.globalID({ required: true, for: RuntimeRef }) },
    resolve: (_root, args, ctx) => stopRuntime(ctx, args.id.id),
  }),
);

builder.mutationField('restartRuntime', (t) =>
  t.field({
    type: RuntimeRef,
    description:
      "Recreates the runtime with its profile's current values (a stopped one is started).",
    errors: startErrors('RestartRuntime'),
    args: { id: t.arg.globalID({ required: true, for: RuntimeRef }) },
    resolve: (_root, args, ctx) =>
      restartRuntime(ctx, args.id.id, { limits: runtimeLimits(ctx.deps.config) }),
  }),
);

builder.mutationField('deleteRuntime', (t) =>
  t.field({
    type: RuntimeRef,
    description: 'Tears the runtime down; `retention` decides whether the workspace is kept.',
    errors: lifecycleErrors('DeleteRuntime'),
    args: {
      id: t.arg.globalID({ required: true, for: RuntimeRef }),
      retention: t.arg({ type: RetentionPolicyEnum, required: true, defaultValue: 'preserve' }),
    },
    resolve: (_root, args, ctx) =>
      deleteRuntime(ctx, args.id.id, args.retention as RetentionPolicy),
  }),
);
