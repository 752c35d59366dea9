import type { UpstreamKind } from '../../../schema/domain/enums.ts';

/** OpenAI-compatible operations the proxy forwards. */
export type ProxyOperation = 'chat/completions' | 'embeddings';

/**
 * Where a route's requests go. Every supported kind speaks the OpenAI wire format; they differ in
 * where the `/v1` prefix lives and how the credential is presented:
 * - `openai-compatible`, `vllm`: base URL as given (normally ending in `/v1`), `Bearer <credential>`;
 * - `litellm`: a LiteLLM proxy (`http://litellm:4000`); the credential is a LiteLLM virtual key, and the
 *   ClawLoops user id travels as OpenAI's `user` field (replacing the client's) so LiteLLM's own spend
 *   logs and end-user budgets attribute it;
 * - `ollama`: the server root (`http://host:11434`); its OpenAI endpoints live under `/v1`; usually no
 *   credential.
 */
export function upstreamUrl(kind: UpstreamKind, baseUrl: string, op: ProxyOperation): URL {
  let base = baseUrl.replace(/\/+$/, '');
  if ((kind === 'ollama' || kind === 'litellm') && !/\/v1$/.test(base)) base = `${base}/v1`;
  return new URL(`${base}/${op}`);
}

/** Headers that carry the upstream credential (never logged, never returned). */
export function upstreamAuthHeaders(credential: string | null): Record<string, string> {
  return credential ? { authorization: `Bearer ${credential}` } : {};
}

/** Kind-specific request body adjustments, applied after the model name was rewritten. */
export function adjustBody(
  kind: UpstreamKind,
  body: Record<string, unknown>,
  userId: string,
): void {
  // Always ours: LiteLLM keys spend logs and end-user budgets on `user`, so a runtime's own value
  // would bill another user or escape its budget.
  if (kind === 'litellm') body.user = userId;
}
