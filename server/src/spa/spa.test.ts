import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spaRoute } from './spa.ts';

let dir: string;
let server: Server;
let port: number;

/** GET with an explicit Host header (fetch would drop it). */
function get(path: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path,
          method,
          headers: { host: 'claw.example.com', ...headers },
        },
        (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        },
      );
      req.on('error', reject);
      req.end();
    },
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spa-test-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(
    join(dir, 'index.html'),
    '<head><!--clawloops-config--></head><div id="root"></div>',
  );
  writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(join(dir, 'favicon.ico'), 'ico');
  writeFileSync(join(tmpdir(), 'secret.txt'), 'nope');
  const route = spaRoute({
    dir,
    hosts: { appHosts: ['claw.example.com'], runtimeDomain: 'claw.example.com' },
  });
  server = createServer(async (req, res) => {
    if (!(await route(req, res))) res.writeHead(404).end('fallthrough');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('spaRoute', () => {
  it.each(['/', '/admin/users', '/invite/abc.def-token', '/login?return=%2Fx', '/index.html'])(
    'serves index.html for %s',
    async (path) => {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.body).toContain(
        '<meta name="clawloops-runtime-domain" content="claw.example.com" />',
      );
    },
  );

  it('hashed assets are immutable, other files cached for an hour', async () => {
    const js = await get('/assets/index-abc.js');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await get('/favicon.ico')).headers['cache-control']).toBe('public, max-age=3600');
  });

  it('revalidates index.html with its ETag', async () => {
    const first = await get('/');
    const again = await get('/', { 'if-none-match': String(first.headers.etag) });
    expect(again.status).toBe(304);
  });

  it.each([
    ['/graphql', {}],
    ['/auth/forward', {}],
    ['/v1/chat/completions', {}],
    ['/readyz', {}],
    ['/assets/missing.js', {}],
    ['/../secret.txt', {}],
    ['/%2e%2e/secret.txt', {}],
    ['/%E0%A4%A.js', {}],
    ['/', { host: 'u-alice.claw.example.com' }],
    ['/', { host: 'x.y.claw.example.com' }],
  ])('leaves %s %j to the next handler', async (path, headers) => {
    expect((await get(path, headers)).body).toBe('fallthrough');
  });

  it('answers only GET and HEAD', async () => {
    expect((await get('/admin', {}, 'POST')).body).toBe('fallthrough');
    const head = await get('/admin', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });
});
