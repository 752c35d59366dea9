import type { IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { ProxyTrust } from './proxy-trust.ts';
import { requestIdOf, withRequestId } from './request-id.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const trust = new ProxyTrust(['10.0.0.1']);
const req = (peer: string, id?: string | string[]) =>
  ({
    headers: id === undefined ? {} : { 'x-request-id': id },
    socket: { remoteAddress: peer },
  }) as unknown as IncomingMessage;

describe('requestIdOf', () => {
  it.each([
    ['a trusted proxy’s id is kept', req('10.0.0.1', 'trace-42'), 'trace-42'],
    ['IPv4-mapped trusted peer', req('::ffff:10.0.0.1', 'abc.def:1'), 'abc.def:1'],
    ['first of repeated headers', req('10.0.0.1', ['one', 'two']), 'one'],
    ['anyone else’s id is ignored', req('192.0.2.7', 'forged'), UUID],
    ['no header: generated', req('10.0.0.1'), UUID],
    ['a line break could forge a log line', req('10.0.0.1', 'a\nb'), UUID],
    ['spaces are refused', req('10.0.0.1', 'a b'), UUID],
    ['too long', req('10.0.0.1', 'x'.repeat(129)), UUID],
    ['empty', req('10.0.0.1', ''), UUID],
  ])('%s', (_name, r, expected) => {
    const id = requestIdOf(r, trust);
    if (typeof expected === 'string') expect(id).toBe(expected);
    else expect(id).toMatch(expected);
  });
});

describe('log lines carry the request id', () => {
  it('inside withRequestId and only there, across awaits', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    const logger = createLogger('info', false, sink);
    await withRequestId('req-1', async () => {
      await new Promise((r) => setTimeout(r, 1));
      logger.info('inside');
    });
    logger.info('outside');
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => [l.msg, l.reqId])).toEqual([
      ['inside', 'req-1'],
      ['outside', undefined],
    ]);
  });
});
