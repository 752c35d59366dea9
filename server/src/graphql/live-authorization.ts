import type { ExecutionResult } from 'graphql';
import { type Plugin, Repeater } from 'graphql-yoga';
import type { Viewer } from '../auth/viewer.ts';
import type { Context } from '../context.ts';

/**
 * Subscriptions are authorised when they open (in the services, before any listener exists). This
 * keeps them authorised while they stay open: when this process applies an invalidation that may
 * concern the stream's credential (its session, its user — logout, disable, role or password
 * change, token revocation — or `*` after a lost LISTEN connection), the credential is
 * authenticated again, and the stream ends unless it still names the same user with the same role
 * and scopes. The client sees the stream complete; resubscribing (from its cursor) is authorised
 * afresh. Works alike for graphql-ws and SSE, which share this plugin through `getEnveloped`.
 */
export function useLiveAuthorization(): Plugin<Context> {
  return {
    onSubscribe() {
      return {
        onSubscribeResult({ args, result, setResult }) {
          const ctx = args.contextValue as Context;
          if (ctx.viewer && isAsyncIterable(result))
            setResult(boundToCredential(result, ctx, ctx.viewer));
        },
      };
    },
  };
}

type Stream = AsyncIterableIterator<ExecutionResult>;

function boundToCredential(source: Stream, ctx: Context, viewer: Viewer): Stream {
  return new Repeater<ExecutionResult>(async (push, stop) => {
    const off = ctx.deps.authenticator.onInvalidate((key) => {
      if (!concerns(key, viewer)) return;
      ctx.reauthenticate().then(
        (now) => {
          if (!sameAuthority(viewer, now)) stop();
        },
        () => stop(),
      );
    });
    // Ending the source releases its hub listener at once, even while it waits for an event.
    void stop.then(() => {
      off();
      void source.return?.();
    });
    for (let next = await source.next(); !next.done; next = await source.next()) {
      await push(next.value);
    }
    stop();
  });
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
