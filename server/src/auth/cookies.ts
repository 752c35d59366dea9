/** The session cookie's name (shared with ForwardAuth and the runtime subdomains). */
export const SESSION_COOKIE = 'clawloops_session';

export interface SessionCookieOptions {
  /** Send only over HTTPS (config COOKIE_SECURE). */
  secure: boolean;
  /** e.g. `.example.com`, so one login also covers `u-<name>.example.com` (config COOKIE_DOMAIN). */
  domain?: string;
}

/**
 * Every write of the cookie (login, invitation accept, setup, password change, logout) goes through
 * here so Domain/Path/SameSite/Secure are always identical — browsers treat a cookie with a different
 * Domain or Path as a different cookie, and logout would silently leave the old one behind.
 */
function attributes(opts: SessionCookieOptions): string[] {
  const attrs = ['Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (opts.secure) attrs.push('Secure');
  if (opts.domain) attrs.push(`Domain=${opts.domain}`);
  return attrs;
}

export function sessionCookie(value: string, expiresAt: Date, opts: SessionCookieOptions): string {
  return [
    `${SESSION_COOKIE}=${value}`,
    `Expires=${expiresAt.toUTCString()}`,
    ...attributes(opts),
  ].join('; ');
}

export function clearedSessionCookie(opts: SessionCookieOptions): string {
  return [
    `${SESSION_COOKIE}=`,
    'Expires=Thu, 01 Jan 1970 00:00:00 GMT',
    'Max-Age=0',
    ...attributes(opts),
  ].join('; ');
}

/** The value of one cookie in a `Cookie` header, or null. */
export function readCookie(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null;
  }
  return null;
}
