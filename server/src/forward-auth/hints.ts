/** Request headers that tell a browser navigation from an API call, XHR or WebSocket. */
export interface LoginHints {
  accept?: string | undefined;
  /** `X-Requested-With` (`XMLHttpRequest` for classic XHR libraries). */
  requestedWith?: string | undefined;
  /** `Upgrade` (`websocket`). */
  upgrade?: string | undefined;
  /** `Sec-Fetch-Mode`: browsers send `navigate` only for navigations. */
  secFetchMode?: string | undefined;
}

/**
 * Authelia's rule, plus Fetch Metadata: only a top-level browser navigation that accepts HTML may be
 * redirected to a login page. Everything else gets a status code its caller can act on — a redirect
 * answering an XHR or a WebSocket upgrade only produces a confusing CORS or handshake error.
 */
export function wantsHtml(h: LoginHints): boolean {
  if (h.upgrade) return false;
  if (h.requestedWith?.toLowerCase() === 'xmlhttprequest') return false;
  if (h.secFetchMode && h.secFetchMode !== 'navigate') return false;
  return (h.accept ?? '').toLowerCase().includes('text/html');
}
