import type { OpenedHandoff } from '../auth/runtime-handoff-token.ts';
import { safePath } from './safe-path.ts';

export interface RedeemInput {
  method: string | undefined;
  /** The `token` parameter opened for this host; null when there was none. */
  opened: OpenedHandoff | null;
  /** The `return` parameter. The token's own copy is what counts; a different one is tampering. */
  queryReturn: string | null;
  /** This request recorded the token's id first (meaningless unless `opened.ok`). */
  firstUse: boolean;
  /** The session the carried proof authenticates as right now (null: revoked, expired, disabled). */
  liveSessionId: string | null;
}

export type RedeemOutcome =
  | { kind: 'sign-in'; proof: string; location: string }
  | {
      kind: 'deny';
      status: 400 | 403 | 405;
      reason: string;
      message: string;
      /** Security-relevant (replay, wrong host, tampering): worth an audit row. */
      audit: boolean;
      /** Same-host path that starts the hand-off over. */
      retry: string;
    };

/**
 * `GET /__clawloops/session` on a runtime host, pure. Every refusal links back to the path the user
 * wanted: opening it again starts a fresh hand-off, so a stale or reused link costs one click.
 */
export function decideRedeem(input: RedeemInput): RedeemOutcome {
  let retry = safePath(input.queryReturn ?? undefined);
  const deny = (
    status: 400 | 403 | 405,
    reason: string,
    message: string,
    audit = false,
  ): RedeemOutcome => ({ kind: 'deny', status, reason, message, audit, retry });
  if (input.method !== 'GET' && input.method !== 'HEAD')
    return deny(405, 'bad_method', 'Open this address in a browser.');
  const { opened } = input;
  if (!opened) return deny(400, 'no_token', 'This sign-in link is incomplete.');
  if (!opened.ok) {
    if (opened.reason === 'expired')
      return deny(400, 'token_expired', 'This sign-in link has expired; open the page again.');
    if (opened.reason === 'wrong_audience')
      return deny(403, 'wrong_audience', 'This sign-in link is for another runtime.', true);
    return deny(400, 'bad_token', 'This sign-in link is not valid.', true);
  }
  const { claims } = opened;
  retry = safePath(claims.returnPath);
  if (input.queryReturn !== null && input.queryReturn !== claims.returnPath)
    return deny(400, 'bad_return', 'This sign-in link was altered.', true);
  if (!input.firstUse) return deny(400, 'token_used', 'This sign-in link was already used.', true);
  if (input.liveSessionId !== claims.sessionId)
    return deny(403, 'session_ended', 'That session has ended; sign in again.');
  return { kind: 'sign-in', proof: claims.proof, location: retry };
}
