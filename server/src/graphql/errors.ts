/**
 * Expected failures, returned as typed union members by @pothos/plugin-errors (never thrown to the
 * client as raw errors). Anything else thrown is unexpected and masked by Yoga.
 */

export interface FieldError {
  /** Dotted path of the offending input, e.g. `password` or `input.username`. */
  path: string;
  message: string;
}

/** Base class: `code` is stable and machine-readable; `message` is for people. */
export class DomainError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string) {
    super('NOT_FOUND', `${what} was not found.`);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'You are not allowed to do this.', code = 'FORBIDDEN') {
    super(code, message);
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(message = 'Sign in first.', code = 'UNAUTHENTICATED') {
    super(code, message);
  }
}

export class InvalidInputError extends DomainError {
  readonly fieldErrors: FieldError[];
  constructor(fieldErrors: FieldError[], message?: string) {
    super('INVALID_INPUT', message ?? fieldErrors.map((e) => `${e.path}: ${e.message}`).join('; '));
    this.fieldErrors = fieldErrors;
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, code = 'CONFLICT') {
    super(code, message);
  }
}

/** The feature exists, but not with this deployment's configuration (e.g. runtime logs on Kubernetes). */
export class NotAvailableError extends DomainError {
  constructor(message: string, code = 'NOT_AVAILABLE') {
    super(code, message);
  }
}

export class RateLimitedError extends DomainError {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super('RATE_LIMITED', `Too many attempts. Try again in ${retryAfterSeconds} s.`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Which limit refused a start: the whole platform's, or the runtime owner's. */
export type RuntimeLimitScope = 'global' | 'user';

/**
 * A start would exceed a limit on running runtimes (JupyterHub's `active_server_limit` answers 429;
 * here it is a typed result carrying the numbers, so clients can say exactly why).
 */
export class RuntimeLimitExceededError extends DomainError {
  readonly scope: RuntimeLimitScope;
  readonly limit: number;
  readonly current: number;
  constructor(scope: RuntimeLimitScope, limit: number, current: number, message: string) {
    super('RUNTIME_LIMIT_EXCEEDED', message);
    this.scope = scope;
    this.limit = limit;
    this.current = current;
  }
}

/** The runtime's owner may not use this runtime profile. */
export class ProfileNotAllowedError extends DomainError {
  readonly profile: string;
  constructor(profile: string, message: string) {
    super('PROFILE_NOT_ALLOWED', message);
    this.profile = profile;
  }
}
