import type { ServerResponse } from 'node:http';

/** OpenAI's error `type`s that clients (the OpenAI SDKs, OpenClaw) branch on. */
export type OpenAiErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'insufficient_quota'
  | 'api_error'
  | 'timeout_error';

/** An expected refusal, rendered as OpenAI's `{ error: { message, type, code } }`. */
export class ProxyError extends Error {
  readonly status: number;
  readonly type: OpenAiErrorType;
  readonly code: string;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    type: OpenAiErrorType,
    code: string,
    message: string,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = status;
    this.type = type;
    this.code = code;
    this.headers = headers;
  }
}

export function sendProxyError(res: ServerResponse, err: ProxyError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({
    error: { message: err.message, type: err.type, code: err.code, param: null },
  });
  res.writeHead(err.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...err.headers,
  });
  res.end(body);
}

export const unauthorized = (message: string) =>
  new ProxyError(401, 'authentication_error', 'invalid_api_key', message);

export const modelNotFound = (model: string) =>
  new ProxyError(
    404,
    'not_found_error',
    'model_not_found',
    `The model \`${model}\` does not exist or you do not have access to it.`,
  );

export const badRequest = (message: string, code = 'invalid_request') =>
  new ProxyError(400, 'invalid_request_error', code, message);
