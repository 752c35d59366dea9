// `npm start` runs this first: builds the SPA when web/dist is missing or older than its sources, so
// the server always serves a production build of the current code. Fast no-op otherwise.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const web = new URL('..', import.meta.url).pathname;
const built = join(web, 'dist', 'index.html');

function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const sources = ['src', 'index.html', 'vite.config.ts'].map((p) => join(web, p));
if (existsSync(built) && statSync(built).mtimeMs >= Math.max(...sources.map(newest))) {
  console.log('web: build is up to date');
} else {
  console.log('web: building the SPA (vite build)…');
  execFileSync('vite', ['build', '--config', join(web, 'vite.config.ts')], { stdio: 'inherit' });
}
