import type { GraphQLFormattedError } from 'graphql';
import type { ApiTokenScope } from '../../../schema/domain/enums.ts';
import type { Actor } from './world.ts';

/**
 * Who may use a field or route:
 * - `public`: anyone, signed in or not (sign-in itself, invitation previews, server time);
 * - `self`: any signed-in member, on their own data only (another user gets their own, never the
 *   owner's: checked by the leak canaries);
 * - `owner`: one tenant's resource (alice's runtime): its owner and admins;
 * - `admin`: admins only.
 */
export type Policy = 'public' | 'self' | 'owner' | 'admin';
export type Verdict = 'allow' | 'deny';

export interface AccessRule {
  policy: Policy;
  /** What an API token needs (sessions have every scope). */
  scope?: ApiTokenScope;
  /** API tokens are refused whatever their scopes (token management, password changes). */
  sessionOnly?: boolean;
  /** Exceptions to what the policy implies, each with its reason in the row. */
  expect?: Partial<Record<Actor, Verdict>>;
}

/** The token principal: admins' rows are tried with an admin's tokens, the rest with the owner's. */
export const principalOf = (rule: AccessRule) => (rule.policy === 'admin' ? 'admin' : 'owner');

/**
 * The expected verdict for one actor. Anonymous callers, disabled users, revoked sessions and
 * revoked tokens are always refused outside `public`; a user who must change their password is
 * refused everything but the few fields that say otherwise.
 */
export function verdictFor(rule: AccessRule, actor: Actor): Verdict {
  const explicit = rule.expect?.[actor];
  if (explicit) return explicit;
  if (rule.policy === 'public') return 'allow';
  if (['anon', 'disabled', 'revoked', 'revokedToken', 'mustChange'].includes(actor)) return 'deny';
  const token = actor === 'underScoped' || actor === 'scopedToken';
  if (token && rule.sessionOnly) return 'deny';
  if (actor === 'underScoped' && rule.scope) return 'deny';
  switch (rule.policy) {
    case 'self':
      return 'allow';
    case 'owner':
      return actor === 'other' ? 'deny' : 'allow';
    case 'admin':
      return actor === 'admin' || token ? 'allow' : 'deny';
  }
}

/**
 * Whether the actor may see the owner's (alice's) data through this rule: only then may a response
 * contain her canaries.
 */
export function entitled(rule: AccessRule, actor: Actor): boolean {
  return (
    rule.policy !== 'public' && ENTITLED.includes(actor) && verdictFor(rule, actor) === 'allow'
  );
}

/** The owner, an admin, and tokens of whichever of the two is the row's principal. */
const ENTITLED: Actor[] = ['owner', 'admin', 'underScoped', 'scopedToken'];

/** How a GraphQL call ended, from the typed union member or the nullable field. */
export type Outcome =
  | 'ok'
  | 'hidden'
  | 'unauth'
  | 'forbidden'
  | 'notFound'
  | 'invalid'
  | 'conflict'
  | 'rateLimited'
  | 'notAvailable'
  | 'profileNotAllowed'
  | 'limitExceeded'
  | 'error';

export const DENIED: Outcome[] = ['unauth', 'forbidden', 'hidden', 'notFound', 'profileNotAllowed'];

const TYPENAMES: Record<string, Outcome> = {
  UnauthenticatedError: 'unauth',
  ForbiddenError: 'forbidden',
  NotFoundError: 'notFound',
  InvalidInputError: 'invalid',
  ConflictError: 'conflict',
  RateLimitedError: 'rateLimited',
  NotAvailableError: 'notAvailable',
  ProfileNotAllowedError: 'profileNotAllowed',
  RuntimeLimitExceededError: 'limitExceeded',
};

export function outcomeOf(
  data: Record<string, unknown> | null | undefined,
  errors: readonly GraphQLFormattedError[] | undefined,
): Outcome {
  if (errors?.length) return 'error';
  const value = Object.values(data ?? {})[0];
  if (value === null || value === undefined) return 'hidden';
  if (typeof value !== 'object') return 'ok';
  const typename = (value as { __typename?: string }).__typename ?? '';
  return TYPENAMES[typename] ?? 'ok';
}
