import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  orchestratorConfigSchema,
  parseOrchestratorConfig,
} from '../../../orchestrator/src/config.ts';
import { resolveOptions } from '../../../orchestrator/src/drivers/kubernetes/options.ts';
import { GATEWAY_PORT } from '../../../orchestrator/src/drivers/kubernetes/render/meta.ts';
import { configSchema, parseConfig } from '../../../server/src/config.ts';
import {
  find,
  findGenerated,
  kustomizeSkipReason,
  type Obj,
  OVERLAYS,
  type Overlay,
  REPO,
  render,
  renderYaml,
  selects,
} from './render.ts';

/**
 * Structural checks of every rendered overlay, and that the manifests agree with the code that
 * consumes them: the settings parse with the processes' own zod schemas, and the objects the
 * Kubernetes driver points at (credential proxy, forwardAuth Middleware, runtimes namespace, Traefik
 * and DNS peers) are where its defaults say. The orchestrator Role's verbs are checked against the
 * driver's real requests in test/integration/orchestrator/kubernetes-driver.test.ts, not here.
 */
const skip = kustomizeSkipReason();
if (skip) console.warn(`[deploy manifests skipped] ${skip}`);

/** Secrets prod expects to exist before `kubectl apply -k` (deploy/README.md "Secrets"). */
const EXTERNAL_SECRETS: Record<Overlay, Record<string, string[]>> = {
  dev: {},
  prod: { 'clawloops-secrets': ['DATABASE_URL', 'CLAWLOOPS_SECRET', 'MODEL_CREDENTIAL_KEY'] },
};
const PLATFORM = 'clawloops-system';
const driver = resolveOptions({ kubeConfig: new KubeConfig(), baseDomain: 'example.com' });

const deployments = (objs: Obj[]) => objs.filter((o) => o.kind === 'Deployment');
const podSpec = (d: Obj) => d.spec.template.spec;
const byComponent = (objs: Obj[], component: string) =>
  deployments(objs).find(
    (d) => d.spec.template.metadata.labels['app.kubernetes.io/component'] === component,
  ) as Obj;
const configData = (objs: Obj[]) =>
  (findGenerated(objs, 'ConfigMap', 'clawloops-config') as Obj).data as Obj;

/** The environment a container starts with: envFrom ConfigMaps/Secrets, then env (secret values
 * from the rendered Secret, or a stand-in for an external one). */
function containerEnv(objs: Obj[], container: Obj): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const cm = from.configMapRef && find(objs, 'ConfigMap', from.configMapRef.name);
    Object.assign(env, cm?.data ?? {});
  }
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    const ref = e.valueFrom?.secretKeyRef;
    if (!ref) continue;
    const secret = find(objs, 'Secret', ref.name);
    const data = secret?.data?.[ref.key] ?? secret?.stringData?.[ref.key];
    if (data !== undefined)
      env[e.name] = secret?.data ? Buffer.from(data, 'base64').toString() : data;
    else if (!ref.optional)
      env[e.name] = `external-${ref.key}-placeholder-of-32-characters-or-more`;
  }
  return env;
}

describe.skipIf(skip !== undefined)(
  `deploy/k8s manifests${skip ? ` — skipped: ${skip}` : ''}`,
  () => {
    it('renders the base, both overlays, and the optional LiteLLM component (via dev)', () => {
      expect(renderYaml('deploy/k8s/base')).toContain('kind: Deployment');
      for (const overlay of OVERLAYS) expect(render(overlay).length).toBeGreaterThan(20);
      expect(find(render('dev'), 'Deployment', 'litellm')).toBeDefined();
    });

    for (const overlay of OVERLAYS) {
      describe(overlay, () => {
        const objs = skip ? [] : render(overlay);

        it('every Deployment has probes, resources and a non-root, locked-down security context', () => {
          for (const d of deployments(objs)) {
            const spec = podSpec(d);
            const where = `${d.metadata.name}`;
            expect(spec.securityContext?.runAsNonRoot, where).toBe(true);
            expect(spec.securityContext?.seccompProfile?.type, where).toBe('RuntimeDefault');
            for (const c of spec.containers) {
              expect(c.livenessProbe, `${where}/${c.name} liveness`).toBeDefined();
              if (c.ports?.length)
                expect(c.readinessProbe, `${where}/${c.name} readiness`).toBeDefined();
              expect(c.resources?.requests?.cpu, where).toBeDefined();
              expect(c.resources?.requests?.memory, where).toBeDefined();
              expect(c.resources?.limits?.memory, where).toBeDefined();
              expect(c.securityContext?.allowPrivilegeEscalation, where).toBe(false);
              expect(c.securityContext?.capabilities?.drop, where).toEqual(['ALL']);
              expect(
                c.securityContext?.runAsUser ?? spec.securityContext.runAsUser ?? 1,
                where,
              ).not.toBe(0);
            }
            // Only the orchestrator talks to the Kubernetes API.
            const isOrchestrator = spec.serviceAccountName === 'clawloops-orchestrator';
            expect(spec.automountServiceAccountToken, where).toBe(isOrchestrator);
          }
        });

        it("ClawLoops' own containers run one image, read-only, with an entry point that exists", () => {
          const ours = deployments(objs).filter((d) => d.metadata.name.startsWith('clawloops-'));
          expect(ours.map((d) => d.metadata.name).sort()).toEqual([
            'clawloops-credential-proxy',
            'clawloops-orchestrator',
            'clawloops-server',
          ]);
          const images = new Set(ours.map((d) => podSpec(d).containers[0].image));
          expect(images.size).toBe(1);
          for (const d of ours) {
            const [c] = podSpec(d).containers;
            expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
            expect(c.command[0]).toBe('node');
            expect(existsSync(join(REPO, c.command[1])), c.command[1]).toBe(true);
          }
        });

        it('selectors, Services and PodDisruptionBudgets match the pods they mean', () => {
          for (const d of deployments(objs)) {
            expect(selects(d.spec.selector.matchLabels, d.spec.template.metadata.labels)).toBe(
              true,
            );
          }
          for (const svc of objs.filter((o) => o.kind === 'Service')) {
            const targets = deployments(objs).filter(
              (d) =>
                d.metadata.namespace === svc.metadata.namespace &&
                selects(svc.spec.selector, d.spec.template.metadata.labels),
            );
            expect(targets, svc.metadata.name).toHaveLength(1);
            const ports = podSpec(targets[0] as Obj).containers.flatMap((c: Obj) => c.ports ?? []);
            for (const p of svc.spec.ports) {
              const hit = ports.some(
                (cp: Obj) => cp.name === p.targetPort || cp.containerPort === p.targetPort,
              );
              expect(hit, `${svc.metadata.name}:${p.targetPort}`).toBe(true);
            }
          }
          for (const pdb of objs.filter((o) => o.kind === 'PodDisruptionBudget')) {
            const d = deployments(objs).find((x) =>
              selects(pdb.spec.selector.matchLabels, x.spec.template.metadata.labels),
            );
            expect(d, pdb.metadata.name).toBeDefined();
            expect(d?.spec.replicas).toBeGreaterThan(pdb.spec.minAvailable);
          }
        });

        it('every ConfigMap and Secret a pod references exists (or is documented as external)', () => {
          const external = EXTERNAL_SECRETS[overlay];
          const readme = readFileSync(join(REPO, 'deploy/README.md'), 'utf8');
          const tlsFromCertificates = objs
            .filter((o) => o.kind === 'Certificate')
            .map((o) => o.spec.secretName);
          for (const d of deployments(objs)) {
            const spec = podSpec(d);
            for (const c of spec.containers) {
              for (const from of c.envFrom ?? []) {
                if (from.configMapRef)
                  expect(find(objs, 'ConfigMap', from.configMapRef.name)).toBeDefined();
                if (from.secretRef) expect(find(objs, 'Secret', from.secretRef.name)).toBeDefined();
              }
              for (const e of c.env ?? []) {
                const ref = e.valueFrom?.secretKeyRef;
                if (!ref) continue;
                const secret = find(objs, 'Secret', ref.name, d.metadata.namespace);
                if (secret) {
                  if (!ref.optional)
                    expect(Object.keys(secret.data ?? {}), `${ref.name}.${ref.key}`).toContain(
                      ref.key,
                    );
                } else {
                  expect(
                    external[ref.name],
                    `Secret ${ref.name} neither rendered nor external`,
                  ).toContain(ref.key);
                  expect(readme, `deploy/README.md documents ${ref.name}.${ref.key}`).toContain(
                    ref.key,
                  );
                }
              }
            }
            for (const v of spec.volumes ?? []) {
              if (v.configMap)
                expect(find(objs, 'ConfigMap', v.configMap.name), v.name).toBeDefined();
              if (v.secret) expect(find(objs, 'Secret', v.secret.secretName), v.name).toBeDefined();
            }
          }
          for (const name of Object.keys(external))
            expect(readme).toContain(`create secret generic ${name}`);
          for (const route of objs.filter((o) => o.kind === 'IngressRoute')) {
            const secretName = route.spec.tls?.secretName;
            if (secretName) expect(tlsFromCertificates, route.metadata.name).toContain(secretName);
          }
        });

        it("each process's environment passes its own configuration schema", () => {
          const server = podSpec(byComponent(objs, 'server')).containers[0];
          const orchestrator = podSpec(byComponent(objs, 'orchestrator')).containers[0];
          const proxy = podSpec(byComponent(objs, 'credential-proxy')).containers[0];
          const s = parseConfig(containerEnv(objs, server));
          expect([s.EMBEDDED_ORCHESTRATOR, s.MODEL_PROXY_EMBEDDED, s.PORT]).toEqual([
            false,
            false,
            8080,
          ]);
          const o = parseOrchestratorConfig(containerEnv(objs, orchestrator));
          expect([o.RUNTIME_DRIVER, o.STOP_RUNTIMES_ON_EXIT]).toEqual(['kubernetes', false]);
          const p = parseConfig(containerEnv(objs, proxy));
          expect(p.MODEL_PROXY_PORT).toBe(driver.credentialProxy.port);
          // No setting in the shared ConfigMap is unknown to both processes (catches typos).
          const known = new Set([
            ...Object.keys(configSchema.shape),
            ...Object.keys(orchestratorConfigSchema.shape),
          ]);
          for (const key of Object.keys(configData(objs))) expect(known, key).toContain(key);
        });

        it("the credential proxy is where the driver's runtime NetworkPolicies allow egress", () => {
          const cp = driver.credentialProxy;
          const d = byComponent(objs, 'credential-proxy');
          expect(d.metadata.namespace).toBe(cp.namespace);
          expect(selects(cp.podSelector, d.spec.template.metadata.labels)).toBe(true);
          expect(podSpec(d).containers[0].ports.map((p: Obj) => p.containerPort)).toContain(
            cp.port,
          );
          const url = new URL(configData(objs).MODEL_PROXY_URL);
          const [svcName, svcNs] = url.hostname.split('.');
          const svc = find(objs, 'Service', svcName ?? '', svcNs) as Obj;
          expect(svc, url.hostname).toBeDefined();
          expect(selects(svc.spec.selector, d.spec.template.metadata.labels)).toBe(true);
          expect(svc.spec.ports.map((p: Obj) => p.port)).toContain(Number(url.port));
          expect(url.pathname).toBe('/v1');
        });

        it("the forwardAuth Middleware is the driver's, returns its identity header and calls the server", () => {
          const { name, namespace } = driver.forwardAuthMiddleware;
          const mw = find(objs, 'Middleware', name, namespace) as Obj;
          expect(mw, `${namespace}/${name}`).toBeDefined();
          const headers = mw.spec.forwardAuth.authResponseHeaders.map((h: string) =>
            h.toLowerCase(),
          );
          expect(headers).toContain(driver.identityHeader.toLowerCase());
          expect(headers).toEqual(
            expect.arrayContaining([
              'x-clawloops-user',
              'x-clawloops-user-id',
              'x-clawloops-runtime-id',
              // ClawLoops' own credentials are stripped by replacing these (runtime-bound-credentials.ts).
              'cookie',
              'authorization',
            ]),
          );
          expect(mw.spec.forwardAuth.trustForwardHeader).toBe(false);
          const address = new URL(mw.spec.forwardAuth.address);
          expect(address.pathname).toBe('/auth/forward');
          const [svcName, svcNs] = address.hostname.split('.');
          const svc = find(objs, 'Service', svcName ?? '', svcNs) as Obj;
          expect(
            selects(svc.spec.selector, byComponent(objs, 'server').spec.template.metadata.labels),
          ).toBe(true);
          expect(svc.spec.ports.map((p: Obj) => p.port)).toContain(Number(address.port));
        });

        it('the orchestrator runs as the Role-bound ServiceAccount, on the runtimes namespace it may use', () => {
          const spec = podSpec(byComponent(objs, 'orchestrator'));
          const binding = find(objs, 'RoleBinding', 'clawloops-orchestrator') as Obj;
          expect(binding.subjects).toContainEqual({
            kind: 'ServiceAccount',
            name: spec.serviceAccountName,
            namespace: PLATFORM,
          });
          expect(find(objs, 'ServiceAccount', spec.serviceAccountName, PLATFORM)).toBeDefined();
          const ns = configData(objs).RUNTIME_NAMESPACE;
          expect(ns).toBe(driver.namespace);
          expect(binding.metadata.namespace).toBe(ns);
          expect(find(objs, 'Role', binding.roleRef.name, ns)).toBeDefined();
          expect(find(objs, 'Namespace', ns)).toBeDefined();
          expect(find(objs, 'Namespace', PLATFORM)).toBeDefined();
        });

        it('runtimes: default-deny; ingress only from Traefik; egress only to the credential proxy and DNS', () => {
          const policies = objs.filter(
            (o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === driver.namespace,
          );
          const deny = policies.find((p) => !p.spec.ingress && !p.spec.egress) as Obj;
          expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
          const peer = (ns: string, pods: Record<string, string>) => ({
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
            podSelector: { matchLabels: pods },
          });
          const ingress = policies.flatMap((p) => p.spec.ingress ?? []);
          expect(ingress).toEqual([
            {
              from: [peer(driver.proxyNamespace, driver.proxyPodSelector)],
              ports: [{ protocol: 'TCP', port: GATEWAY_PORT }],
            },
          ]);
          const egress = policies.flatMap((p) => p.spec.egress ?? []);
          expect(egress).toEqual([
            {
              to: [peer(driver.credentialProxy.namespace, driver.credentialProxy.podSelector)],
              ports: [{ protocol: 'TCP', port: driver.credentialProxy.port }],
            },
            {
              to: [peer(driver.dns.namespace, driver.dns.podSelector)],
              ports: [
                { protocol: 'UDP', port: 53 },
                { protocol: 'TCP', port: 53 },
              ],
            },
          ]);
        });

        it('hosts agree: PUBLIC_URL, cookie domain, IngressRoutes, certificate', () => {
          const cfg = configData(objs);
          const appHost = new URL(cfg.PUBLIC_URL).hostname;
          const base = cfg.RUNTIME_BASE_DOMAIN;
          expect(`.${appHost}`.endsWith(cfg.COOKIE_DOMAIN)).toBe(true);
          expect(`.u-alice.${base}`.endsWith(cfg.COOKIE_DOMAIN)).toBe(true);
          expect(cfg.COOKIE_SECURE).toBe(String(cfg.PUBLIC_URL.startsWith('https:')));
          const app = find(objs, 'IngressRoute', 'clawloops-app') as Obj;
          expect(app.spec.routes[0].match).toBe(`Host(\`${appHost}\`)`);
          const fallback = find(objs, 'IngressRoute', 'clawloops-runtimes-fallback') as Obj;
          const re = new RegExp(
            /HostRegexp\(`(.*)`\)/.exec(fallback.spec.routes[0].match)?.[1] ?? '$^',
          );
          expect(re.test(`u-alice.${base}`)).toBe(true);
          expect(re.test(`u-alice.${base}.evil.test`)).toBe(false);
          expect(re.test(appHost)).toBe(false);
          expect(fallback.spec.routes[0].priority).toBe(1);
          expect(fallback.spec.routes[0].middlewares).toEqual([
            { name: driver.forwardAuthMiddleware.name },
          ]);
          for (const cert of objs.filter((o) => o.kind === 'Certificate')) {
            expect(cert.spec.dnsNames).toEqual(expect.arrayContaining([appHost, `*.${base}`]));
          }
        });

        it('server, orchestrator and credential proxy are highly available where it matters', () => {
          const replicas = (c: string) => byComponent(objs, c).spec.replicas;
          const expected = overlay === 'prod' ? 2 : 1;
          expect([
            replicas('server'),
            replicas('orchestrator'),
            replicas('credential-proxy'),
          ]).toEqual([expected, expected, expected]);
          const pdbs = objs
            .filter((o) => o.kind === 'PodDisruptionBudget')
            .map((o) => o.metadata.name);
          if (overlay === 'prod') expect(pdbs).toContain('clawloops-server');
          const server = podSpec(byComponent(objs, 'server')).containers[0];
          expect([server.livenessProbe.httpGet.path, server.readinessProbe.httpGet.path]).toEqual([
            '/livez',
            '/readyz',
          ]);
        });
      });
    }
  },
);
