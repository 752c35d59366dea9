import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Route } from '../app.ts';
import { classifyHost, type HostPolicy } from '../forward-auth/host.ts';

export interface SpaOptions {
  /** The built SPA (`vite build` output). @default `<repo>/web/dist` */
  dir?: string;
  /** Which hosts are the app's; the SPA is never served on runtime hosts (`u-<name>.<domain>`). */
  hosts: HostPolicy;
}

/** Never answered with index.html: API, entrance, model proxy and probes keep their own 404s. */
const RESERVED = /^\/(graphql|auth|v1|livez|healthz|readyz)(\/|$)/;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Same-origin only; the socket is same-origin too ('self' covers ws/wss in CSP 3). No framing. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

const DEFAULT_DIR = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/**
 * Serves the built SPA: hashed files under /assets/ cached for a year (immutable), other files for an
 * hour, and index.html — revalidated on every load, so a deploy is picked up at once — for every
 * app route (`/`, `/admin/users`, `/invite/<token>` …). Reserved paths, runtime hosts, non-GET
 * methods and missing files with an extension fall through to the app's JSON 404.
 */
export function spaRoute(options: SpaOptions): Route {
  const dir = normalize(options.dir ?? DEFAULT_DIR);
  const files = new Map<string, Buffer>();
  // Hashed assets never change, so they are kept in memory; index.html is re-read (a rebuild while
  // running must not serve an index pointing at deleted assets).
  const read = (path: string, cache: boolean): Buffer | null => {
    const cached = files.get(path);
    if (cached) return cached;
    if (!existsSync(path)) return null;
    const body = readFileSync(path);
    if (cache) files.set(path, body);
    return body;
  };
  const index = () => {
    const raw = read(join(dir, 'index.html'), false);
    if (!raw) return null;
    const meta = `<meta name="clawloops-runtime-domain" content="${escapeAttr(options.hosts.runtimeDomain)}" />`;
    const body = Buffer.from(raw.toString('utf8').replace('<!--clawloops-config-->', meta));
    return {
      body,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    };
  };

  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const url = new URL(req.url ?? '/', 'http://x');
    if (RESERVED.test(url.pathname)) return false;
    const host = classifyHost(req.headers.host, options.hosts);
    if (host.kind === 'runtime' || host.kind === 'unknown' || host.kind === 'invalid') return false;

    // A known static extension means a file (missing → the JSON 404, never HTML in place of a
    // script); anything else, dots included (`/invite/<token>`, `/users/jane.doe`), is an app route —
    // and so is `/index.html`, which must get the injected, revalidated page too.
    const ext = extname(url.pathname).toLowerCase();
    if (ext !== '.html' && TYPES[ext]) {
      const path = safeJoin(dir, url.pathname);
      const immutable = url.pathname.startsWith('/assets/');
      const body = path && read(path, immutable);
      if (!path || !body) return false;
      res.writeHead(200, {
        'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
        'content-length': body.length,
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=3600',
        'x-content-type-options': 'nosniff',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    }

    const page = index();
    if (!page) {
      res.writeHead(503, {
        'content-type': 'text/plain; charset=utf-8',
        'cache-control': 'no-store',
      });
      res.end(
        'The web app has not been built. Run `npm run build:web` (npm start does it for you).\n',
      );
      return true;
    }
    const headers = { ...SECURITY_HEADERS, etag: page.etag, 'cache-control': 'no-cache' };
    if (req.headers['if-none-match'] === page.etag) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    res.writeHead(200, {
      ...headers,
      'content-type': TYPES['.html'],
      'content-length': page.body.length,
    });
    res.end(req.method === 'HEAD' ? undefined : page.body);
    return true;
  };
}

/** `dir` + the URL path, or null when it escapes `dir` (`/../`, encoded or not) or is malformed. */
function safeJoin(dir: string, pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const path = normalize(join(dir, decoded));
  return path.startsWith(dir.endsWith(sep) ? dir : dir + sep) ? path : null;
}

function escapeAttr(value: string): string {
  return value.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
}
