import { describe, expect, it } from 'vitest';
import { ProxyError } from './openai-error.ts';
import { checkRequestParams } from './request-params.ts';

const chat = (extra: Record<string, unknown>) => ({ model: 'm', messages: [], ...extra });
const refusal = (endpoint: 'chat' | 'embeddings', body: Record<string, unknown>) => {
  try {
    checkRequestParams(endpoint, body);
    return null;
  } catch (err) {
    if (!(err instanceof ProxyError)) throw err;
    return { status: err.status, code: err.code, message: err.message };
  }
};

describe('checkRequestParams', () => {
  it.each([
    {},
    { stream: true },
    { stream: false, stream_options: null },
    { stream: true, stream_options: { include_usage: false } },
    { max_tokens: 1 },
    { max_tokens: 1e12 },
    { max_tokens: null, max_completion_tokens: 4096 },
    { n: 1 },
    { n: 128 },
    { n: null },
    { temperature: 'whatever: the upstream judges the rest' },
  ])('accepts %o', (extra) => expect(refusal('chat', chat(extra))).toBeNull());

  it.each([
    [{ stream: 'true' }, 'stream'],
    [{ stream: 1 }, 'stream'],
    [{ stream: 'yes' }, 'stream'],
    [{ stream: {} }, 'stream'],
    [{ stream: true, stream_options: 'x' }, 'stream_options'],
    [{ stream: true, stream_options: [] }, 'stream_options'],
    [{ max_tokens: '100000' }, 'max_tokens'],
    [{ max_tokens: 0 }, 'max_tokens'],
    [{ max_tokens: -5 }, 'max_tokens'],
    [{ max_tokens: 1.5 }, 'max_tokens'],
    [{ max_tokens: 1e300 }, 'max_tokens'],
    [{ max_tokens: true }, 'max_tokens'],
    [{ max_completion_tokens: [10] }, 'max_completion_tokens'],
    [{ n: 1e6 }, 'n'],
    [{ n: 0 }, 'n'],
    [{ n: -1 }, 'n'],
    [{ n: 129 }, 'n'],
    [{ n: '2' }, 'n'],
  ])('refuses %o (400 naming `%s`)', (extra, param) => {
    expect(refusal('chat', chat(extra))).toMatchObject({
      status: 400,
      code: 'invalid_parameter',
      message: expect.stringContaining(`\`${param}\``),
    });
  });

  it('leaves embeddings to the upstream', () => {
    expect(refusal('embeddings', { model: 'm', input: 'x', n: 'junk' })).toBeNull();
  });
});
