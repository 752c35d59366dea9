/**
 * metav1.Status failures with the exact shape and messages of k8s.io/apimachinery `errors.New*`
 * (reference §1.2 and §2.6).
 */
export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** Thrown anywhere in request handling; the server turns it into the HTTP response. */
export class StatusError extends Error {
  readonly status: Status;
  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message);
    this.status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason,
      code,
    };
    if (details) this.status.details = details;
  }
  get code(): number {
    return this.status.code;
  }
}

/** Identifies a resource in messages: `pods`, or `deployments.apps` for a named group. */
export interface GroupResource {
  group: string;
  plural: string;
}

function qualified(gr: GroupResource): string {
  return gr.group ? `${gr.plural}.${gr.group}` : gr.plural;
}

function details(gr: GroupResource, name: string): StatusDetails {
  return gr.group ? { name, group: gr.group, kind: gr.plural } : { name, kind: gr.plural };
}

export function notFound(gr: GroupResource, name: string): StatusError {
  return new StatusError(
    404,
    'NotFound',
    `${qualified(gr)} "${name}" not found`,
    details(gr, name),
  );
}

export function alreadyExists(gr: GroupResource, name: string): StatusError {
  return new StatusError(
    409,
    'AlreadyExists',
    `${qualified(gr)} "${name}" already exists`,
    details(gr, name),
  );
}

export function staleConflict(gr: GroupResource, name: string): StatusError {
  const message = `Operation cannot be fulfilled on ${qualified(gr)} "${name}": the object has been modified; please apply your changes to the latest version and try again`;
  return new StatusError(409, 'Conflict', message, details(gr, name));
}

/** 409 from server-side apply; the real server sets only `causes` in details. */
export function applyConflict(message: string, causes: StatusCause[]): StatusError {
  return new StatusError(409, 'Conflict', message, { causes });
}

/** 422: details.kind is the Kind (e.g. `ConfigMap`), not the plural, as in `errors.NewInvalid`. */
export function invalid(
  group: string,
  kind: string,
  name: string,
  causes: StatusCause[],
): StatusError {
  const list = causes.map((c) => `${c.field}: ${c.message}`);
  const summary = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  const message = `${group ? `${kind}.${group}` : kind} "${name}" is invalid: ${summary}`;
  const d: StatusDetails = group ? { name, group, kind, causes } : { name, kind, causes };
  return new StatusError(422, 'Invalid', message, d);
}

export function forbidden(gr: GroupResource, name: string, why: string): StatusError {
  return new StatusError(
    403,
    'Forbidden',
    `${qualified(gr)} "${name}" is forbidden: ${why}`,
    details(gr, name),
  );
}

/** A bare 500 (message only, no reason): how 1.20 answers an apply body its typed converter rejects. */
export function internalError(message: string): StatusError {
  const err = new StatusError(500, '', message);
  delete err.status.reason;
  return err;
}

export function badRequest(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}

export function methodNotAllowed(): StatusError {
  return new StatusError(
    405,
    'MethodNotAllowed',
    'the server does not allow this method on the requested resource',
  );
}

export function unsupportedMediaType(accepted: string[]): StatusError {
  const message = `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`;
  return new StatusError(415, 'UnsupportedMediaType', message);
}

export function expired(message: string): StatusError {
  return new StatusError(410, 'Expired', message);
}

export function unauthorized(): StatusError {
  return new StatusError(401, 'Unauthorized', 'Unauthorized');
}

/** Generic failure used by fault injection (500, 429, 503, 504…). */
export function injected(code: number, message: string): StatusError {
  const reasons: Record<number, string> = {
    409: 'Conflict',
    410: 'Expired',
    429: 'TooManyRequests',
    500: 'InternalError',
    503: 'ServiceUnavailable',
    504: 'Timeout',
  };
  const d: StatusDetails | undefined = code === 429 ? { retryAfterSeconds: 1 } : undefined;
  return new StatusError(code, reasons[code] ?? 'InternalError', message, d);
}

export function successStatus(
  gr: GroupResource,
  name: string,
  uid: string | undefined,
): Record<string, unknown> {
  const d: StatusDetails = { ...details(gr, name) };
  if (uid) d.uid = uid;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: d };
}
