import { type ExecutionResult, GraphQLError } from 'graphql';
import { type Plugin, Repeater } from 'graphql-yoga';
import { User } from '../../../schema/entities/user.entity.ts';
import type { Viewer } from '../auth/viewer.ts';
import type { Context } from '../context.ts';
import { DomainError } from './errors.ts';

/**
 * Subscriptions are authorised when they open (in the services, before any listener exists). This
 * keeps them authorised while they stay open: when this process applies an invalidation that may
 * concern the stream's credential (its session, its user — logout, disable, role or password
 * change, token revocation — or `*` after a lost LISTEN connection), the credential is
 * authenticated again, and the stream ends unless it still names the same user with the same role
 * and scopes. Its last message says why (`USER_DISABLED`, `UNAUTHENTICATED` or `FORBIDDEN`), so a
 * client can tell "signed out" from a dropped connection; resubscribing (from its cursor) is
 * authorised afresh. Works alike for graphql-ws and SSE, which share this plugin via `getEnveloped`.
 */
export function useLiveAuthorization(limits: { maxStreamsPerUser: number }): Plugin<Context> {
  /** Open streams per user in this process: one user must not hold unbounded server memory. */
  const open = new Map<string, number>();
  const release = (userId: string) => {
    const n = (open.get(userId) ?? 1) - 1;
    if (n > 0) open.set(userId, n);
    else open.delete(userId);
  };
  return {
    onSubscribe() {
      return {
        onSubscribeResult({ args, result, setResult }) {
          const ctx = args.contextValue as Context;
          const viewer = ctx.viewer;
          if (!viewer || !isAsyncIterable(result)) return;
          const held = open.get(viewer.userId) ?? 0;
          if (held >= limits.maxStreamsPerUser) {
            void result.return?.();
            const message = `You have ${held} live subscriptions open; complete some first.`;
            setResult({ errors: [coded('TOO_MANY_OPERATIONS', message)] });
            return;
          }
          const hold = () => {
            open.set(viewer.userId, (open.get(viewer.userId) ?? 0) + 1);
            return () => release(viewer.userId);
          };
          setResult(boundToCredential(result, ctx, viewer, hold));
        },
      };
    },
  };
}

/** An error whose code and message pass error masking (a DomainError inside, as for any other). */
function coded(code: string, message: string): GraphQLError {
  return new GraphQLError(message, { originalError: new DomainError(code, message) });
}

type Stream = AsyncIterableIterator<ExecutionResult>;

function boundToCredential(
  source: Stream,
  ctx: Context,
  viewer: Viewer,
  /** Counts the stream as open while it runs (a Repeater runs only once iterated); returns the release. */
  hold: () => () => void,
): Stream {
  return new Repeater<ExecutionResult>(async (push, stop) => {
    const release = hold();
    const off = ctx.deps.authenticator.onInvalidate((key) => {
      if (!concerns(key, viewer)) return;
      ctx.reauthenticate().then(
        async (now) => {
          if (sameAuthority(viewer, now)) return;
          await push({ errors: [await whyEnded(ctx, viewer, now)] }).catch(() => {});
          stop();
        },
        // Could not check (database unreachable): keep the stream; the reconnect's `*` checks again.
        () => {},
      );
    });
    // Ending the source releases its hub listener at once, even while it waits for an event.
    void stop.then(() => {
      off();
      release();
      void source.return?.();
    });
    for (let next = await source.next(); !next.done; next = await source.next()) {
      await push(next.value);
    }
    stop();
  });
}

async function whyEnded(ctx: Context, before: Viewer, now: Viewer | null): Promise<GraphQLError> {
  if (now)
    return coded('FORBIDDEN', 'Your role or permissions changed; this live stream has ended.');
  const user = await ctx.deps.orm.em
    .fork()
    .findOne(User, { id: before.userId }, { fields: ['status'] })
    .catch(() => null);
  if (user?.status === 'disabled')
    return coded('USER_DISABLED', 'This account is disabled. Ask an administrator to enable it.');
  return coded('UNAUTHENTICATED', 'Your session has ended. Sign in again.');
}

function concerns(key: string, viewer: Viewer): boolean {
  return (
    key === '*' ||
    key === `user:${viewer.userId}` ||
    (viewer.sessionId !== null && key === `session:${viewer.sessionId}`)
  );
}

/** Still the same person with the same powers (a stream opened as admin must not outlive that). */
export function sameAuthority(before: Viewer, now: Viewer | null): boolean {
  return (
    now !== null &&
    now.userId === before.userId &&
    now.role === before.role &&
    now.mustChangePassword === before.mustChangePassword &&
    JSON.stringify(now.tokenScopes) === JSON.stringify(before.tokenScopes)
  );
}

function isAsyncIterable(value: unknown): value is Stream {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
