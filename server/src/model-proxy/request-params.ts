import { badRequest } from './openai-error.ts';

/** OpenAI's own ceiling for `n` (choices per request). */
export const MAX_CHOICES = 128;

/**
 * Checks the request parameters the proxy's accounting relies on, before anything goes upstream.
 * Upstreams written in Python (vLLM, LiteLLM) coerce loosely: `"stream": "true"` would stream there
 * while the proxy saw no stream and asked for no usage chunk (an unmetered answer), `"max_tokens":
 * "100000"` would slip past the route's cap, and `n` multiplies every answer's cost. So these must
 * have exactly their JSON types; everything else is the upstream's to judge. Throws a 400
 * `invalid_parameter` naming the parameter.
 */
export function checkRequestParams(
  endpoint: 'chat' | 'embeddings',
  body: Record<string, unknown>,
): void {
  if (endpoint !== 'chat') return;
  const { stream, stream_options: streamOptions, n } = body;
  if (stream != null && typeof stream !== 'boolean')
    throw invalid('stream', 'must be true or false');
  if (streamOptions != null && (typeof streamOptions !== 'object' || Array.isArray(streamOptions)))
    throw invalid('stream_options', 'must be an object');
  for (const field of ['max_tokens', 'max_completion_tokens']) {
    const v = body[field];
    if (v != null && !(Number.isSafeInteger(v) && (v as number) >= 1))
      throw invalid(field, 'must be a whole number of at least 1');
  }
  if (n != null && !(Number.isInteger(n) && (n as number) >= 1 && (n as number) <= MAX_CHOICES))
    throw invalid('n', `must be a whole number from 1 to ${MAX_CHOICES}`);
}

function invalid(param: string, rule: string) {
  return badRequest(`\`${param}\` ${rule}.`, 'invalid_parameter');
}
