import { errorTypeMap, wrapOrThrow } from '@pothos/plugin-errors';
import { MAX_LOG_TAIL, runtimeLogs, watchRuntimeLogs } from '../../services/runtime-logs.ts';
import { builder } from '../builder.ts';
import {
  ForbiddenError,
  InvalidInputError,
  NotAvailableError,
  NotFoundError,
  UnauthenticatedError,
} from '../errors.ts';
import { COMMON_ERRORS } from './error-types.ts';
import { RuntimeRef } from './runtime.ts';

interface LogLines {
  runtimeId: string;
  lines: string[];
}

const LogLinesRef = builder.objectRef<LogLines>('RuntimeLogLines').implement({
  description:
    "Lines of a runtime's console output (the gateway's stdout and stderr), oldest first.",
  isTypeOf: (v) => typeof v === 'object' && v !== null && 'lines' in v && 'runtimeId' in v,
  fields: (t) => ({
    runtimeId: t.globalID({ resolve: (l) => ({ type: 'Runtime', id: l.runtimeId }) }),
    lines: t.exposeStringList('lines'),
  }),
});

const LOG_ERRORS = [NotFoundError, NotAvailableError, ...COMMON_ERRORS];

builder.queryField('runtimeLogs', (t) =>
  t.field({
    type: LogLinesRef,
    description: `The last \`tail\` lines (at most ${MAX_LOG_TAIL}) of a runtime's console log. Owner and admins; local driver only (NotAvailableError otherwise).`,
    errors: { types: LOG_ERRORS, directResult: true, union: { name: 'RuntimeLogsResult' } },
    args: {
      runtimeId: t.arg.globalID({ required: true, for: RuntimeRef }),
      tail: t.arg.int({ required: false, defaultValue: 200 }),
    },
    resolve: async (_root, args, ctx) => ({
      runtimeId: args.runtimeId.id,
      lines: await runtimeLogs(ctx, args.runtimeId.id, args.tail ?? 200),
    }),
  }),
);

const SUBSCRIPTION_ERRORS = [
  NotFoundError,
  NotAvailableError,
  ForbiddenError,
  UnauthenticatedError,
  InvalidInputError,
];

// Same shape as runtime-event.ts: a refusal is the stream's only item (see subscriptionUnion there).
const LogLinesResult = builder.unionType('RuntimeLogLinesResult', {
  types: [LogLinesRef, ...SUBSCRIPTION_ERRORS],
  resolveType: (v: object) => errorTypeMap.get(v)?.name ?? LogLinesRef.name,
});

builder.subscriptionField('runtimeLogLines', (t) =>
  t.field({
    type: LogLinesResult,
    description: 'New console lines of a runtime as they are written (history: `runtimeLogs`).',
    args: { runtimeId: t.arg.globalID({ required: true, for: RuntimeRef }) },
    subscribe: async (_root, args, ctx): Promise<AsyncIterable<LogLines | Error>> => {
      const runtimeId = args.runtimeId.id;
      try {
        const batches = await watchRuntimeLogs(ctx, runtimeId);
        return mapBatches(batches, runtimeId);
      } catch (err) {
        const refusal = wrapOrThrow(err, SUBSCRIPTION_ERRORS) as Error;
        return (async function* () {
          yield refusal;
        })();
      }
    },
    resolve: (item) => item as LogLines,
  }),
);

/** Wraps each batch without an async generator, so `return()` reaches the tail at once. */
function mapBatches(
  source: AsyncIterableIterator<string[]>,
  runtimeId: string,
): AsyncIterableIterator<LogLines> {
  const it: AsyncIterableIterator<LogLines> = {
    async next() {
      const r = await source.next();
      return r.done ? r : { value: { runtimeId, lines: r.value }, done: false };
    },
    async return() {
      await source.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]: () => it,
  };
  return it;
}
