import { describe, expect, it } from 'vitest';
import { runtimeBoundCredentials } from './runtime-bound-credentials.ts';

describe('runtimeBoundCredentials', () => {
  it.each([
    ['no credentials at all', {}, {}],
    ['only the session cookie ⇒ no Cookie', { cookie: 'clawloops_session=abc' }, {}],
    [
      'session cookie among others ⇒ the others',
      { cookie: 'a=1; clawloops_session=abc;  b=2' },
      { cookie: 'a=1; b=2' },
    ],
    [
      'a look-alike name is kept',
      { cookie: 'clawloops_session2=x' },
      { cookie: 'clawloops_session2=x' },
    ],
    ['an API token ⇒ no Authorization', { authorization: 'Bearer clt_secret' }, {}],
    ['any case of bearer', { authorization: 'bEaReR clt_secret' }, {}],
    [
      "the runtime's own credentials go on",
      { authorization: 'Bearer gateway-token', cookie: 'openclaw=1' },
      { authorization: 'Bearer gateway-token', cookie: 'openclaw=1' },
    ],
  ])('%s', (_, headers, expected) => {
    expect(runtimeBoundCredentials(headers)).toEqual(expected);
  });
});
