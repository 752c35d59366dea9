import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A stand-in for the built SPA (served by the real `spaRoute`): `/login` signs in through the real
 * GraphQL `login` mutation and then follows `?return=` when it is an app path — the contract the SPA's
 * login honours. It keeps these tests about the hand-off, independent of the SPA's build and markup.
 */
export function writeLoginStandIn(): string {
  const dir = mkdtempSync(join(tmpdir(), 'clawloops-login-standin-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(
    join(dir, 'index.html'),
    `<!doctype html><html><head><meta charset="utf-8"><title>ClawLoops sign-in</title>
<!--clawloops-config--><script type="module" src="/assets/login.js"></script></head>
<body><form id="login"><input id="username" autocomplete="username">
<input id="password" type="password" autocomplete="current-password">
<button type="submit">Sign in</button></form></body></html>\n`,
  );
  writeFileSync(
    join(dir, 'assets/login.js'),
    `const LOGIN = 'mutation L($u: String!, $p: String!) { login(username: $u, password: $p) { __typename } }';
document.getElementById('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  const variables = {
    u: document.getElementById('username').value,
    p: document.getElementById('password').value,
  };
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-clawloops-csrf': '1' },
    body: JSON.stringify({ query: LOGIN, variables }),
  });
  const json = await res.json();
  if (json.data?.login?.__typename !== 'SignInPayload') {
    document.body.dataset.error = JSON.stringify(json);
    return;
  }
  const back = new URLSearchParams(location.search).get('return');
  // A full navigation: /auth/runtime-login is a server route, not a client-side one.
  location.assign(back && back.startsWith('/') && !back.startsWith('//') ? back : '/');
});
`,
  );
  return dir;
}

/** `logout` through GraphQL from a page on the app origin (as the SPA's sign-out button does). */
export const LOGOUT_SCRIPT = `fetch('/graphql', {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-clawloops-csrf': '1' },
  body: JSON.stringify({ query: 'mutation { logout }' }),
}).then((r) => r.json())`;
