import type { ResolvedRoute } from './access-cache.ts';
import type { UpstreamCall } from './forward.ts';
import { checkRequestParams } from './request-params.ts';
import { adjustBody, upstreamAuthHeaders, upstreamUrl } from './upstream.ts';

/**
 * Turns a client's request into the upstream's: the public model name becomes the upstream model id,
 * streams ask for a final usage chunk (our ledger needs it), `max_tokens` is capped at the route's
 * limit, and the route's credential goes in the headers. Mutates `body` (it was parsed for us alone).
 * Throws a 400 ProxyError for parameters the proxy cannot meter (checkRequestParams).
 */
export function prepareCall(
  route: ResolvedRoute,
  endpoint: 'chat' | 'embeddings',
  body: Record<string, unknown>,
  userId: string,
): UpstreamCall {
  checkRequestParams(endpoint, body);
  body.model = route.upstreamModel;
  if (endpoint === 'chat') {
    if (body.stream === true) {
      const opts = (typeof body.stream_options === 'object' && body.stream_options) || {};
      body.stream_options = { ...opts, include_usage: true };
    }
    if (route.maxTokens !== null) {
      for (const field of ['max_tokens', 'max_completion_tokens']) {
        const v = body[field];
        if (typeof v === 'number' && v > route.maxTokens) body[field] = route.maxTokens;
      }
    }
  }
  adjustBody(route.kind, body, userId);
  return {
    url: upstreamUrl(
      route.kind,
      route.baseUrl,
      endpoint === 'chat' ? 'chat/completions' : 'embeddings',
    ),
    headers: {
      'content-type': 'application/json',
      accept: body.stream === true ? 'text/event-stream' : 'application/json',
      ...upstreamAuthHeaders(route.credential),
    },
    body: Buffer.from(JSON.stringify(body)),
    model: route.name,
  };
}
