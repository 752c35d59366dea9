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
  DomainError,
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
 * Subscription results are unions of the item and the typed errors. Authorisation happens in the
 * service (not scope-auth, whose thrown errors would be masked); a refusal is the stream's only item.
 */
function subscriptionUnion(
  name: string,
  item: typeof RuntimeEventRef | typeof RuntimeStatusUpdateRef | typeof RuntimeProgressRef,
) {
  return builder.unionType(name, {
    types: [item, ...SUBSCRIPTION_ERRORS],
    resolveType: (v: unknown) =>
      v instanceof DomainError
        ? (SUBSCRIPTION_ERRORS.find((E) => v instanceof E)?.name ?? null)
        : item.name,
  });
}

async function orError<T>(
  open: () => Promise<AsyncIterable<T>>,
): Promise<AsyncIterable<T | DomainError>> {
  try {
    return await open();
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    return (async function* () {
      yield err;
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
