/**
 * Where `/login?return=…` may send the browser after sign-in: only this app's own host, or a runtime
 * host `u-<label>.<runtime domain>` (the entrance redirects there with the original URL). Anything
 * else — other sites, look-alike hosts, `javascript:` URLs, protocol-relative `//evil` — is dropped,
 * so the login page is never an open redirect.
 */
export function safeReturn(
  raw: string | null,
  here: { origin: string; runtimeDomain: string },
): string | null {
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw, here.origin);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username || url.password) return null;
  const app = new URL(here.origin);
  if (url.host === app.host && url.protocol === app.protocol) {
    const path = `${url.pathname}${url.search}${url.hash}`;
    // Back to the login page itself would loop.
    return url.pathname.startsWith('/login') ? null : path;
  }
  const domain = here.runtimeDomain.toLowerCase().replace(/^\.+|\.+$/g, '');
  const suffix = `.${domain}`;
  const host = url.hostname.toLowerCase();
  if (!domain || !host.endsWith(suffix)) return null;
  const label = host.slice(0, -suffix.length);
  // The port is not checked, as the entrance ignores it for routing: every `u-` host is ours.
  if (!/^u-[a-z0-9]([a-z0-9-]{0,60}[a-z0-9])?$/.test(label)) return null;
  return url.href;
}

/** The runtime domain the server announced in index.html (default: this page's hostname). */
export function runtimeDomain(): string {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="clawloops-runtime-domain"]');
  return meta?.content || window.location.hostname;
}
