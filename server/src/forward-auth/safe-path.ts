/**
 * A path to send a browser back to on the same host: printable, bounded, and never something a
 * browser would resolve to another host (`//evil`, `/\evil`, `https://…`); otherwise `/`.
 */
export function safePath(uri: string | undefined): string {
  if (!uri || uri.length > 2048) return '/';
  if (!uri.startsWith('/') || uri.startsWith('//') || uri.startsWith('/\\')) return '/';
  return /^[\x21-\x7e]*$/.test(uri) ? uri : '/';
}
