/**
 * Where build.sh caches the control-plane binaries, and whether this machine has them. The contract
 * tier runs only when they are present (CI builds them in .ci/run); `ensureBuilt()` builds on demand.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface KubeBinaries {
  apiserver: string;
  controllerManager: string;
  etcd: string;
  /** Debian source version + patch hash, e.g. `1.20.5+really1.20.2-1.1+deb12u1-ab0934b7423d`. */
  key: string;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const BUILD_SCRIPT = join(HERE, 'build.sh');
const PATCH = join(HERE, 'patches', 'reflect2-map-iter.patch');

function cacheRoot(): string {
  return (
    process.env.CLAWLOOPS_KUBE_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'clawloops', 'kube-apiserver')
  );
}

function which(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** The cached binaries for the current Debian source version and patch, or undefined. */
export function findKubeBinaries(): KubeBinaries | undefined {
  const root = cacheRoot();
  const versionFile = join(root, 'source-version');
  if (!existsSync(versionFile) || !existsSync(PATCH)) return undefined;
  const version = readFileSync(versionFile, 'utf8').trim();
  // Same key as build.sh: the first 12 hex digits of the patch's sha256.
  const hash = execFileSync('sha256sum', [PATCH], { encoding: 'utf8' }).slice(0, 12);
  const key = `${version}-${hash}`;
  const apiserver = join(root, key, 'kube-apiserver');
  const controllerManager = join(root, key, 'kube-controller-manager');
  const etcd = which('etcd');
  if (!existsSync(apiserver) || !existsSync(controllerManager) || !etcd) return undefined;
  return { apiserver, controllerManager, etcd, key };
}

/** Runs build.sh (a no-op on a warm machine) and returns the binaries. */
export function ensureBuilt(): KubeBinaries {
  execFileSync('bash', [BUILD_SCRIPT], { stdio: ['ignore', 'ignore', 'inherit'] });
  const found = findKubeBinaries();
  if (!found) throw new Error('test/kube-apiserver/build.sh finished but left no binaries');
  return found;
}

/**
 * Why the contract tier is skipped on this machine, or undefined when it can run.
 * CLAWLOOPS_KUBE_APISERVER=off skips it; =build builds the binaries first when they are missing.
 */
export function contractTierSkipReason(): string | undefined {
  if (process.env.CLAWLOOPS_KUBE_APISERVER === 'off') return 'CLAWLOOPS_KUBE_APISERVER=off';
  if (findKubeBinaries()) return undefined;
  // Opt-in build from the test setup itself (CI builds in .ci/run instead, before the suites start).
  if (process.env.CLAWLOOPS_KUBE_APISERVER === 'build') return ensureBuilt() && undefined;
  return 'kube-apiserver not built: run test/kube-apiserver/build.sh (about 8 minutes cold) or set CLAWLOOPS_KUBE_APISERVER=build to enable the real-apiserver contract tier';
}
