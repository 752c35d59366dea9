import { builder } from '../builder.ts';
import {
  ConflictError,
  type DomainError,
  type FieldError,
  ForbiddenError,
  InvalidInputError,
  NotAvailableError,
  NotFoundError,
  ProfileNotAllowedError,
  RateLimitedError,
  RuntimeLimitExceededError,
  UnauthenticatedError,
} from '../errors.ts';

/** The `Error` interface every expected failure implements: a stable code and a sentence. */
export const ErrorInterface = builder.interfaceRef<DomainError>('Error').implement({
  fields: (t) => ({
    code: t.exposeString('code'),
    message: t.exposeString('message'),
  }),
});

const FieldErrorRef = builder.objectRef<FieldError>('FieldError').implement({
  fields: (t) => ({ path: t.exposeString('path'), message: t.exposeString('message') }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof NotFoundError,
});
builder.objectType(ForbiddenError, {
  name: 'ForbiddenError',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof ForbiddenError,
});
builder.objectType(UnauthenticatedError, {
  name: 'UnauthenticatedError',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof UnauthenticatedError,
});
builder.objectType(ConflictError, {
  name: 'ConflictError',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof ConflictError,
});
builder.objectType(InvalidInputError, {
  name: 'InvalidInputError',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof InvalidInputError,
  fields: (t) => ({
    fieldErrors: t.field({ type: [FieldErrorRef], resolve: (e) => e.fieldErrors }),
  }),
});
builder.objectType(NotAvailableError, {
  name: 'NotAvailableError',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof NotAvailableError,
});
builder.objectType(RateLimitedError, {
  name: 'RateLimitedError',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof RateLimitedError,
  fields: (t) => ({ retryAfterSeconds: t.exposeInt('retryAfterSeconds') }),
});

const RuntimeLimitScopeEnum = builder.enumType('RuntimeLimitScope', {
  values: {
    GLOBAL: { value: 'global', description: 'The platform-wide limit (MAX_RUNNING_RUNTIMES).' },
    USER: { value: 'user', description: "The runtime owner's limit." },
  } as const,
});
builder.objectType(RuntimeLimitExceededError, {
  name: 'RuntimeLimitExceededError',
  description: 'Starting would exceed a limit on running runtimes; nothing was changed.',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof RuntimeLimitExceededError,
  fields: (t) => ({
    scope: t.field({ type: RuntimeLimitScopeEnum, resolve: (e) => e.scope }),
    limit: t.exposeInt('limit'),
    current: t.exposeInt('current', { description: 'Runtimes counted against the limit now.' }),
  }),
});
builder.objectType(ProfileNotAllowedError, {
  name: 'ProfileNotAllowedError',
  description: "The runtime's owner may not use this profile.",
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof ProfileNotAllowedError,
  fields: (t) => ({ profile: t.exposeString('profile') }),
});

/** Errors any mutation may return (auth failures and bad input), merged into each field's union. */
export const COMMON_ERRORS = [UnauthenticatedError, ForbiddenError, InvalidInputError];
