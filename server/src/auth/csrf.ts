import type { Plugin } from 'graphql-yoga';
import { readCookie, SESSION_COOKIE } from './cookies.ts';

/** The header the SPA sends on every request; a cross-site HTML form cannot set custom headers. */
export const CSRF_HEADER = 'x-clawloops-csrf';

/**
 * Cross-site request forgery defence for cookie-authenticated GraphQL.
 *
 * The session cookie is SameSite=Lax, which stops other *sites* — but the runtime subdomains
 * (`u-<name>.<domain>`, running user-controlled code) are the same site, so Lax alone is not enough.
 * A forged request can only be a "simple" cross-origin request (form POST, or fetch without
 * preflight): those cannot set a custom header nor `content-type: application/json`. So a POST that
 * carries the session cookie must have `x-clawloops-csrf` or a JSON content type; anything else (form
 * encodings, multipart, text/plain) is rejected before parsing. Non-simple requests need a CORS
 * preflight, which yoga.ts only grants to PUBLIC_URL's origin. GET never runs mutations (Yoga refuses
 * them), so GET needs no check. Bearer-token requests are exempt: browsers never attach bearers on
 * their own.
 */
export function isCsrfSafe(request: Request): boolean {
  if (request.method !== 'POST') return true;
  if (request.headers.get('authorization')) return true;
  if (!readCookie(request.headers.get('cookie'), SESSION_COOKIE)) return true;
  if (request.headers.get(CSRF_HEADER)) return true;
  const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json';
}

/** Yoga plugin applying `isCsrfSafe`; a rejection is a 403 with a machine-readable code. */
export function useCsrfProtection(): Plugin {
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      if (isCsrfSafe(request)) return;
      const body = {
        errors: [
          {
            message: `Cookie-authenticated POST requests need the ${CSRF_HEADER} header.`,
            extensions: { code: 'CSRF_REJECTED' },
          },
        ],
      };
      endResponse(
        new fetchAPI.Response(JSON.stringify(body), {
          status: 403,
          headers: { 'content-type': 'application/json' },
        }),
      );
    },
  };
}

/**
 * Cross-site WebSocket hijacking: browsers attach cookies to WebSocket upgrades from any same-site
 * page (a runtime subdomain included) and CORS does not apply. A cookie is therefore only honoured
 * on an upgrade whose `Origin` is the app's own (or absent: non-browser clients).
 */
export function wsCookieAllowed(headers: Headers, allowedOrigins: string[]): boolean {
  const origin = headers.get('origin');
  return origin === null || allowedOrigins.includes(origin);
}
