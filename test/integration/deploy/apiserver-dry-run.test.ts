import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractTierSkipReason } from '../../kube-apiserver/binaries.ts';
import { type KubeApiServer, startKubeApiServer } from '../../kube-apiserver/harness.ts';
import { applyObjects, loadManifests } from '../../kube-apiserver/manifests.ts';
import { find, kustomizeSkipReason, type Obj, OVERLAYS, REPO, render } from './render.ts';

/**
 * Every rendered overlay, as `kubectl apply --dry-run=server` against a real kube-apiserver 1.20:
 * real OpenAPI schemas, defaulting, admission and (for the Traefik kinds) the CRD schemas of
 * deploy/k8s/crds. Nothing is persisted.
 *
 * 1.20 predates `policy/v1` PodDisruptionBudgets (1.21): they are sent as `policy/v1beta1`, whose
 * fields used here are identical. Production clusters (≥1.25) serve only `policy/v1`.
 */
const skip = kustomizeSkipReason() ?? contractTierSkipReason();
if (skip) console.warn(`[deploy dry-run skipped] ${skip}`);

function forApiServer120(objs: Obj[]): Obj[] {
  return objs.map((o) =>
    o.kind === 'PodDisruptionBudget' && o.apiVersion === 'policy/v1'
      ? { ...o, apiVersion: 'policy/v1beta1' }
      : o,
  );
}

describe.skipIf(skip !== undefined)(
  `deploy/k8s against a real kube-apiserver 1.20 (dry-run=server)${skip ? ` — skipped: ${skip}` : ''}`,
  () => {
    let cp: KubeApiServer;
    let dir: string;
    let kubeconfig: string;

    beforeAll(async () => {
      cp = await startKubeApiServer({ controllerManager: false });
      dir = mkdtempSync(join(tmpdir(), 'clawloops-deploy-'));
      kubeconfig = join(dir, 'kubeconfig');
      writeFileSync(kubeconfig, cp.adminKubeConfig().exportConfig());
      const crds = loadManifests(join(REPO, 'test/integration/deploy/crds/test-only.yaml'));
      await applyObjects(cp.adminKubeConfig(), crds);
      // CRDs serve once Established; kubectl resolves kinds through discovery.
      await waitFor(() =>
        kubectl(['get', 'tlsstores.traefik.io,certificates.cert-manager.io', '-A']),
      );
    }, 120_000);

    afterAll(async () => {
      await cp?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    function kubectl(args: string[]): string {
      return execFileSync('kubectl', ['--kubeconfig', kubeconfig, ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    }

    for (const overlay of OVERLAYS) {
      it(`${overlay}: every object is accepted by the apiserver`, () => {
        const objs = forApiServer120(render(overlay));
        const file = join(dir, `${overlay}.json`);
        writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objs }));
        let out = '';
        try {
          out = kubectl(['apply', '--dry-run=server', '-f', file]);
        } catch (err) {
          const e = err as { stderr?: string; stdout?: string };
          throw new Error(
            `kubectl apply --dry-run=server rejected ${overlay}:\n${e.stderr}\n${e.stdout}`,
          );
        }
        const lines = out.trim().split('\n');
        expect(lines).toHaveLength(objs.length);
        for (const line of lines) expect(line).toMatch(/\(server dry run\)$/);
      });
    }

    it('the same path rejects what the schemas forbid (control)', () => {
      const bad = structuredClone(find(render('prod'), 'Deployment', 'clawloops-server') as Obj);
      bad.spec.template.spec.containers[0].livenessProbe.httpGet.paht = '/livez';
      const file = join(dir, 'bad.json');
      writeFileSync(file, JSON.stringify(bad));
      expect(() => kubectl(['apply', '--dry-run=server', '-f', file])).toThrow(/paht/);
    });
  },
);

async function waitFor(probe: () => unknown, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      probe();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
