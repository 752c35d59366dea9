import { describe, expect, it } from 'vitest';
import { SseUsageScanner, usageOf } from './sse-usage.ts';

describe('SseUsageScanner', () => {
  it('finds the final usage chunk even when lines and UTF-8 characters are split across chunks', () => {
    const body = [
      'data: {"choices":[{"delta":{"content":"héllo"}}],"usage":null}\n\n',
      'data: {"choices":[],"usage":{"prompt_tokens":11,"completion_tokens":7,"total_tokens":18}}\n\n',
      'data: [DONE]\n\n',
    ].join('');
    const bytes = Buffer.from(body);
    const s = new SseUsageScanner();
    for (let i = 0; i < bytes.length; i += 5) s.push(bytes.subarray(i, i + 5));
    s.end();
    expect(s.usage).toEqual({ promptTokens: 11, completionTokens: 7 });
  });

  it('ignores streams without usage and malformed data lines', () => {
    const s = new SseUsageScanner();
    s.push(Buffer.from('data: {"usage":{broken\n\ndata: {"choices":[]}\n\n'));
    s.end();
    expect(s.usage).toBeNull();
  });
});

describe('usageOf', () => {
  it('reads chat and embeddings shapes', () => {
    expect(usageOf({ usage: { prompt_tokens: 3, completion_tokens: 4 } })).toEqual({
      promptTokens: 3,
      completionTokens: 4,
    });
    expect(usageOf({ usage: { prompt_tokens: 9, total_tokens: 9 } })).toEqual({
      promptTokens: 9,
      completionTokens: 0,
    });
    expect(usageOf({})).toBeNull();
  });
});
