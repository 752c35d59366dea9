import { errorTypeMap, wrapOrThrow } from '@pothos/plugin-errors';
import type { RuntimeEventRow } from '../../events/runtime-event-rows.ts';
import { listRuntimeEvents } from '../../services/runtime-history.ts';
import {
  type RuntimeProgressUpdate,
  type RuntimeStatusUpdate,
  watchRuntimeEvents,
  watchRuntimeProgress,
  watchRuntimeStatus,
} from '../../services/runtime-watch.ts';
import { builder } from '../builder.ts';
import {
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  UnauthenticatedError,
} from '../errors.ts';
import { RuntimeRef } from './runtime.ts';
import { RuntimePhaseEnum } from './runtime-condition.ts';
import { UserRef } from './user.ts';

export const RuntimeEventRef = builder.objectRef<RuntimeEventRow>('RuntimeEvent').implement({
  description: 'One entry of a runtime’s append-only history.',
  isTypeOf: (v) => typeof v === 'object' && v !== null && 'seq' in v && 'runtime' in v,
  fields: (t) => ({
    cursor: t.exposeString('id', {
      description: 'Global, commit-ordered event id: pass it as `after` to resume a subscription.',
    }),
    seq: t.exposeInt('seq', { description: 'Position in this runtime’s history (1, 2, …).' }),
    type: t.exposeString('type', {
      description: 'e.g. SpecChanged, Progress, Ready, Failed, Stopped, Deleted.',
    }),
    phase: t.field({ type: RuntimePhaseEnum, resolve: (e) => e.phase }),
    reason: t.exposeString('reason'),
    message: t.exposeString('message'),
    progress: t.exposeInt('progress', { nullable: true }),
    at: t.expose('at', { type: 'DateTime' }),
    runtime: t.field({ type: RuntimeRef, resolve: (e) => e.runtime }),
  }),
});

builder.objectField(RuntimeRef, 'events', (t) =>
  t.connection(
    {
      type: RuntimeEventRef,
      description: 'History, oldest first. Without `first`: the newest `last` (default 20).',
      resolve: async (runtime, args, ctx) => {
        const page = await listRuntimeEvents(ctx.em, runtime.id, args);
        const edges = page.events.map((e) => ({ cursor: e.id, node: e }));
        return {
          edges,
          pageInfo: {
            hasNextPage: page.hasNextPage,
            hasPreviousPage: page.hasPreviousPage,
            startCursor: edges[0]?.cursor ?? null,
            endCursor: edges.at(-1)?.cursor ?? null,
          },
        };
      },
    },
    { name: 'RuntimeEventConnection' },
  ),
);

const RuntimeStatusUpdateRef = builder
  .objectRef<RuntimeStatusUpdate>('RuntimeStatusUpdate')
  .implement({
    isTypeOf: (v) => typeof v === 'object' && v !== null && 'event' in v && 'runtime' in v,
    fields: (t) => ({
      cursor: t.exposeString('cursor', { description: 'Resume `runtimeStatus` after this.' }),
      runtime: t.field({ type: RuntimeRef, resolve: (u) => u.runtime }),
      event: t.field({
        type: RuntimeEventRef,
        nullable: true,
        description: 'The event that triggered this snapshot; null for the first one.',
        resolve: (u) => u.event,
      }),
    }),
  });

const RuntimeProgressRef = builder.objectRef<RuntimeProgressUpdate>('RuntimeProgress').implement({
  isTypeOf: (v) => typeof v === 'object' && v !== null && 'progress' in v && 'failed' in v,
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    runtimeId: t.exposeID('runtimeId'),
    progress: t.exposeInt('progress', { description: '0–100 towards the desired state.' }),
    message: t.exposeString('message'),
    ready: t.exposeBoolean('ready'),
    failed: t.exposeBoolean('failed'),
  }),
});

const SUBSCRIPTION_ERRORS = [
  NotFoundError,
  ForbiddenError,
  UnauthenticatedError,
  InvalidInputError,
];

/**
 * Subscription results are unions of the item and the typed errors, like the mutations' results.
 * Authorisation happens in the services, before any listener exists; a refusal is the stream's only
 * item. The errors plugin's own `errors:` option is not used here: it wraps the stream in an async
 * generator, which would hold an idle subscription's hub listener until its next event after the
 * client left. Instead the refusal is wrapped with the plugin's `wrapOrThrow` (so GraphQL does not
 * mistake the returned Error for a thrown one) and resolved through its `errorTypeMap`.
 */
function subscriptionUnion(
  name: string,
  item: typeof RuntimeEventRef | typeof RuntimeStatusUpdateRef | typeof RuntimeProgressRef,
) {
  return builder.unionType(name, {
    types: [item, ...SUBSCRIPTION_ERRORS],
    resolveType: (v: object) => errorTypeMap.get(v)?.name ?? item.name,
  });
}

async function orError<T>(
  open: () => Promise<AsyncIterable<T>>,
): Promise<AsyncIterable<T | ForbiddenError>> {
  try {
    return await open();
  } catch (err) {
    // Typed as one member for TypeScript; the value is whichever of SUBSCRIPTION_ERRORS matched.
    const refusal = wrapOrThrow(err, SUBSCRIPTION_ERRORS) as ForbiddenError;
    return (async function* () {
      yield refusal;
    })();
  }
}

const RuntimeEventFilter = builder.inputType('RuntimeEventFilter', {
  fields: (t) => ({
    runtimeId: t.globalID({ required: false, for: RuntimeRef }),
    ownerId: t.globalID({
      required: false,
      for: UserRef,
      description: 'Admins only; users get their own.',
    }),
  }),
});

const cursorArg = { description: 'Event cursor: replay what came after it, then go live.' };

builder.subscriptionField('runtimeEvents', (t) =>
  t.field({
    type: subscriptionUnion('RuntimeEventsResult', RuntimeEventRef),
    description: 'Events of the runtimes you may see (admins: all). Resumable with `after`.',
    args: {
      filter: t.arg({ type: RuntimeEventFilter, required: false }),
      after: t.arg.string({ required: false, ...cursorArg }),
    },
    subscribe: (_root, args, ctx) =>
      orError(() =>
        watchRuntimeEvents(
          ctx,
          { runtimeId: args.filter?.runtimeId?.id, ownerId: args.filter?.ownerId?.id },
          args.after ?? null,
        ),
      ),
    resolve: (item) => item,
  }),
);

builder.subscriptionField('runtimeStatus', (t) =>
  t.field({
    type: subscriptionUnion('RuntimeStatusResult', RuntimeStatusUpdateRef),
    description: 'The runtime now, then again after each of its events (snapshot, then deltas).',
    args: {
      runtimeId: t.arg.globalID({ required: true, for: RuntimeRef }),
      after: t.arg.string({ required: false, ...cursorArg }),
    },
    subscribe: (_root, args, ctx) =>
      orError(() => watchRuntimeStatus(ctx, args.runtimeId.id, args.after ?? null)),
    resolve: (item) => item,
  }),
);

builder.subscriptionField('runtimeProgress', (t) =>
  t.field({
    type: subscriptionUnion('RuntimeProgressResult', RuntimeProgressRef),
    description: 'KubeSpawner-style progress of the runtime towards its desired state.',
    args: { runtimeId: t.arg.globalID({ required: true, for: RuntimeRef }) },
    subscribe: (_root, args, ctx) => orError(() => watchRuntimeProgress(ctx, args.runtimeId.id)),
    resolve: (item) => item,
  }),
);
