import { StringDecoder } from 'node:string_decoder';

/** Token counts as the upstream reported them. */
export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

const USAGE_OBJECT = /"usage"\s*:\s*\{/;

/** Reads OpenAI's `usage` object (chat, completions and embeddings shapes). */
export function usageOf(value: unknown): TokenUsage | null {
  const u = (value as { usage?: Record<string, unknown> } | null)?.usage;
  if (!u || typeof u !== 'object') return null;
  const prompt = Number(u.prompt_tokens ?? 0);
  const total = Number(u.total_tokens ?? Number.NaN);
  const completion = Number(
    u.completion_tokens ?? (Number.isFinite(total) ? Math.max(0, total - prompt) : 0),
  );
  if (!Number.isFinite(prompt) || !Number.isFinite(completion)) return null;
  return { promptTokens: prompt, completionTokens: completion };
}

/**
 * Watches a Server-Sent Events body go by (it is forwarded untouched, chunk by chunk) and keeps the
 * last `usage` object seen — the final chunk when `stream_options.include_usage` was requested. Only
 * `data:` lines that contain a usage object are parsed, so the cost per chunk is a split and a regex.
 */
export class SseUsageScanner {
  private readonly decoder = new StringDecoder('utf8');
  private tail = '';
  usage: TokenUsage | null = null;

  push(chunk: Buffer): void {
    const text = this.tail + this.decoder.write(chunk);
    const lines = text.split('\n');
    this.tail = lines.pop() ?? '';
    for (const line of lines) this.scan(line);
  }

  end(): void {
    this.scan(this.tail + this.decoder.end());
    this.tail = '';
  }

  private scan(line: string): void {
    if (!line.startsWith('data:') || !USAGE_OBJECT.test(line)) return;
    try {
      this.usage = usageOf(JSON.parse(line.slice(5))) ?? this.usage;
    } catch {
      // Not JSON: not ours to judge; the client sees the body unchanged.
    }
  }
}
