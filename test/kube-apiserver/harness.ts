/**
 * A real control plane for the contract tier: etcd + kube-apiserver 1.20 (+ kube-controller-manager,
 * so garbage collection, namespaces and node lifecycle are real) on loopback with random ports,
 * token auth and RBAC. No scheduler and no kubelet: test/kube-apiserver/kubelet.ts plays the nodes.
 *
 *   const cp = await startKubeApiServer();
 *   const kc = cp.orchestratorKubeConfig('clawloops-runtimes'); // non-admin, bound to deploy/k8s's Role
 *   …
 *   await cp.stop();
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ApiextensionsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { ensureBuilt, findKubeBinaries, type KubeBinaries } from './binaries.ts';
import { makeKubeConfig } from './kube-config.ts';
import { applyObjects, loadManifests, ORCHESTRATOR_RBAC, TRAEFIK_CRDS } from './manifests.ts';
import { RunDir, reapOrphanedRuns } from './processes.ts';

/** The identity deploy/k8s/base/orchestrator-rbac.yaml binds its Role to. */
export const ORCHESTRATOR_USER = 'system:serviceaccount:clawloops-system:clawloops-orchestrator';

export interface KubeApiServerOptions {
  /** Namespaces to create besides clawloops-system and clawloops-runtimes. @default [] */
  namespaces?: string[];
  /** Run kube-controller-manager (GC, namespace, node lifecycle). @default true */
  controllerManager?: boolean;
  /** Seconds an unreachable node's pods tolerate it before eviction (real default 300). @default 2 */
  unreachableTolerationSeconds?: number;
  /** Build the binaries when they are missing (several minutes). @default false */
  build?: boolean;
}

export interface KubeApiServer {
  /** `https://127.0.0.1:<port>`, the apiserver itself. */
  readonly url: string;
  /** PEM of the apiserver's self-signed serving certificate chain (what clients trust). */
  readonly ca: string;
  /** The serving certificate and key PEMs, so a proxy in front can serve the same identity. */
  readonly tls: { cert: string; key: string };
  readonly etcdUrl: string;
  readonly adminToken: string;
  readonly orchestratorToken: string;
  readonly binaries: KubeBinaries;
  /** system:masters. */
  adminKubeConfig(namespace?: string): KubeConfig;
  /** The orchestrator's identity (only the Role in deploy/k8s); `server` lets a proxy sit in front. */
  orchestratorKubeConfig(namespace?: string, server?: string): KubeConfig;
  /** etcd compaction to the current revision: watches and lists from older resourceVersions get 410. */
  compact(): Promise<void>;
  /** A component's log so far (`etcd`, `kube-apiserver`, `kube-controller-manager`). */
  log(component: string): string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function until(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  log: () => string,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `kube-apiserver harness: ${what} not ready after ${timeoutMs} ms\n${log().slice(-3000)}`,
  );
}

function httpsGet(url: string, token: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

async function startEtcd(run: RunDir, etcd: string): Promise<string> {
  const [client, peer] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  run.spawn('etcd', etcd, [
    '--name=default',
    `--data-dir=${join(run.path, 'etcd')}`,
    `--listen-client-urls=${url}`,
    `--advertise-client-urls=${url}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=default=${peerUrl}`,
    '--unsafe-no-fsync',
    '--log-level=warn',
  ]);
  await until(
    'etcd',
    async () => (await fetch(`${url}/health`)).ok,
    20_000,
    () => run.log('etcd'),
  );
  return url;
}

function writeCredentials(run: RunDir, admin: string, orchestrator: string): void {
  const key = join(run.path, 'sa.key');
  execFileSync('openssl', ['genrsa', '-out', key, '2048'], { stdio: 'ignore' });
  execFileSync('openssl', ['rsa', '-in', key, '-pubout', '-out', join(run.path, 'sa.pub')], {
    stdio: 'ignore',
  });
  writeFileSync(
    join(run.path, 'tokens.csv'),
    [
      `${admin},clawloops-test-admin,uid-admin,"system:masters"`,
      `${orchestrator},${ORCHESTRATOR_USER},uid-orchestrator,"system:serviceaccounts,system:serviceaccounts:clawloops-system"`,
    ].join('\n'),
  );
}

function apiserverArgs(run: RunDir, port: number, etcdUrl: string, toleration: number): string[] {
  return [
    `--etcd-servers=${etcdUrl}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${port}`,
    '--insecure-port=0',
    `--cert-dir=${join(run.path, 'certs')}`,
    `--token-auth-file=${join(run.path, 'tokens.csv')}`,
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc',
    `--service-account-key-file=${join(run.path, 'sa.pub')}`,
    `--service-account-signing-key-file=${join(run.path, 'sa.key')}`,
    '--service-cluster-ip-range=10.96.0.0/24',
    // Pods here never mount tokens and the harness creates no default ServiceAccounts to wait for.
    '--disable-admission-plugins=ServiceAccount',
    // The loopback advertise address cannot be an Endpoints IP; there is no in-cluster client anyway.
    '--endpoint-reconciler-type=none',
    `--default-unreachable-toleration-seconds=${toleration}`,
    `--default-not-ready-toleration-seconds=${toleration}`,
    '--profiling=false',
  ];
}

function controllerManagerArgs(kubeconfig: string): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    '--leader-elect=false',
    '--port=0',
    '--secure-port=0',
    '--controllers=*',
    // Scaled-down node lifecycle: 40 s grace and 5 s period on real clusters.
    '--node-monitor-period=1s',
    '--node-monitor-grace-period=4s',
    '--node-startup-grace-period=10s',
  ];
}

/** Starts etcd, kube-apiserver and (by default) kube-controller-manager, then applies deploy/k8s. */
export async function startKubeApiServer(
  options: KubeApiServerOptions = {},
): Promise<KubeApiServer> {
  const binaries = findKubeBinaries() ?? (options.build ? ensureBuilt() : undefined);
  if (!binaries) throw new Error('kube-apiserver not built: run test/kube-apiserver/build.sh');
  reapOrphanedRuns();
  const run = new RunDir();
  try {
    const adminToken = randomBytes(16).toString('hex');
    const orchestratorToken = randomBytes(16).toString('hex');
    writeCredentials(run, adminToken, orchestratorToken);
    const etcdUrl = await startEtcd(run, binaries.etcd);
    const port = await freePort();
    const url = `https://127.0.0.1:${port}`;
    const toleration = options.unreachableTolerationSeconds ?? 2;
    run.spawn('kube-apiserver', binaries.apiserver, apiserverArgs(run, port, etcdUrl, toleration));
    const certFile = join(run.path, 'certs', 'apiserver.crt');
    let ca = '';
    await until(
      '/readyz',
      async () => {
        ca ||= readFileSync(certFile, 'utf8');
        return (await httpsGet(`${url}/readyz`, adminToken, ca)) === 200;
      },
      60_000,
      () => run.log('kube-apiserver'),
    );
    const kubeConfig = (token: string, user: string, namespace = 'default', server = url) =>
      makeKubeConfig({
        server,
        token,
        user,
        namespace,
        ...(server.startsWith('https:') ? { ca } : {}),
      });
    const admin = kubeConfig(adminToken, 'admin');
    if (options.controllerManager !== false) {
      const file = join(run.path, 'admin.kubeconfig');
      writeFileSync(file, admin.exportConfig());
      run.spawn('kube-controller-manager', binaries.controllerManager, controllerManagerArgs(file));
    }
    await installManifests(admin, options.namespaces ?? []);
    return {
      url,
      ca,
      tls: { cert: ca, key: readFileSync(join(run.path, 'certs', 'apiserver.key'), 'utf8') },
      etcdUrl,
      adminToken,
      orchestratorToken,
      binaries,
      adminKubeConfig: (ns) => kubeConfig(adminToken, 'admin', ns),
      orchestratorKubeConfig: (ns, server) =>
        kubeConfig(orchestratorToken, 'orchestrator', ns, server),
      compact: () => compactEtcd(etcdUrl),
      log: (component) => run.log(component),
      stop: () => run.stop(),
    };
  } catch (err) {
    await run.stop();
    throw err;
  }
}

async function installManifests(admin: KubeConfig, extra: string[]): Promise<void> {
  const crds = TRAEFIK_CRDS.flatMap(loadManifests);
  await applyObjects(admin, crds);
  const ext = admin.makeApiClient(ApiextensionsV1Api);
  for (const crd of crds) {
    const name = crd.metadata?.name ?? '';
    await until(
      `CRD ${name} Established`,
      async () =>
        !!(await ext.readCustomResourceDefinition({ name })).status?.conditions?.some(
          (c) => c.type === 'Established' && c.status === 'True',
        ),
      20_000,
      () => '',
    );
  }
  const namespaces = [...new Set(['clawloops-system', 'clawloops-runtimes', ...extra])];
  await applyObjects(
    admin,
    namespaces.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
  );
  await applyObjects(admin, loadManifests(ORCHESTRATOR_RBAC));
}

/** etcd's JSON gateway (v3 API over HTTP): compact to the current revision, physically. */
async function compactEtcd(etcdUrl: string): Promise<void> {
  const range = await fetch(`${etcdUrl}/v3/kv/range`, {
    method: 'POST',
    body: JSON.stringify({ key: Buffer.from('/registry').toString('base64') }),
  });
  const revision = ((await range.json()) as { header: { revision: string } }).header.revision;
  const res = await fetch(`${etcdUrl}/v3/kv/compaction`, {
    method: 'POST',
    body: JSON.stringify({ revision, physical: true }),
  });
  if (!res.ok) throw new Error(`etcd compaction failed: ${res.status} ${await res.text()}`);
}
