import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../testkit/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

/** Sends a raw WebSocket upgrade and resolves with the first bytes the server answers (or ''). */
function upgrade(path: string): Promise<string> {
  const { port } = new URL(server.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
    });
    let got = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(got);
    };
    const timer = setTimeout(done, 5000);
    socket.on('data', (d) => {
      got += String(d);
      if (got.includes('\r\n\r\n')) done();
    });
    socket.on('close', done);
    socket.on('error', done);
  });
}

describe('WebSocket upgrades on the app host', () => {
  it('an upgrade to anything but /graphql is answered 404 at once, not left hanging', async () => {
    for (const path of ['/nope', '/graphql/x', '//', '/%zz']) {
      expect(await upgrade(path), path).toMatch(/^HTTP\/1\.1 404 /);
    }
  });

  it('/graphql still upgrades', async () => {
    expect(await upgrade('/graphql')).toMatch(/^HTTP\/1\.1 101 /);
  });
});
