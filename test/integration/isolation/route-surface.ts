import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { entranceConfig } from '../../../server/src/edge/entrance.ts';
import { classifyHost } from '../../../server/src/forward-auth/host.ts';
import { type Reply, send } from './http.ts';
import type { HostKind, Probe, RestRow } from './rest-rows.ts';

const SERVER_SRC = fileURLToPath(new URL('../../../server/src/', import.meta.url));
const PATH_LITERAL = /(['"`])(\/[A-Za-z0-9_][A-Za-z0-9_./-]*)\1/g;

/**
 * Every path literal in the server's source (`'/metrics'`, `` `/v1` ``, …): where a new route would
 * name its path. With the rows' own examples and a few generic guesses, these are what the probe
 * asks for on every kind of host with every method.
 */
export function sourcePaths(dir = SERVER_SRC): string[] {
  const out = new Set<string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
        for (const m of readFileSync(path, 'utf8').matchAll(PATH_LITERAL)) out.add(m[2] as string);
    }
  };
  walk(dir);
  return [...out].sort();
}

const GUESSES = ['/', '/x', '/auth', '/auth/x', '/api', '/.env', '/__clawloops/x', '/v1', '/v1/x'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];

/** The generic "nothing here" answer of buildApp. */
export const isGeneric404 = (r: Reply) =>
  r.status === 404 && r.body.includes('"NOT_FOUND"') && r.body.includes('No such route.');

export interface ProbeResult {
  probe: Probe;
  host: string;
  reply: Reply;
}

/** Anonymous requests for every candidate path × host kind × method. */
export async function probeServer(
  port: number,
  hosts: string[],
  config: Parameters<typeof entranceConfig>[0],
  extraPaths: string[],
): Promise<ProbeResult[]> {
  const policy = entranceConfig(config);
  const paths = [...new Set([...sourcePaths(), ...GUESSES, ...extraPaths])];
  const results: ProbeResult[] = [];
  for (const host of hosts) {
    const hostKind = classifyHost(host, policy).kind as HostKind;
    for (const path of paths)
      for (const method of METHODS) {
        const reply = await send(port, {
          method,
          host,
          path,
          headers: { accept: 'application/json' },
        });
        results.push({ probe: { method, hostKind, path }, host, reply });
      }
  }
  return results;
}

/** Served probes no row claims: a route the matrix does not know (`METHOD host-kind path`). */
export function unclaimed(results: ProbeResult[], rows: RestRow[]): string[] {
  return results
    .filter((r) => !isGeneric404(r.reply))
    .filter((r) => !rows.some((row) => row.claims(r.probe, r.reply)))
    .map((r) => `${r.probe.method} ${r.probe.hostKind} ${r.probe.path} → ${r.reply.status}`);
}

/** Rows whose example requests the server does not serve (a stale row). */
export function unserved(results: ProbeResult[], rows: RestRow[]): string[] {
  const same = (a: Probe, b: Probe) =>
    a.method === b.method && a.hostKind === b.hostKind && a.path === b.path;
  return rows.flatMap((row) =>
    row.examples
      .filter((ex) => {
        const hit = results.find((r) => same(r.probe, ex));
        return !hit || isGeneric404(hit.reply) || !row.claims(hit.probe, hit.reply);
      })
      .map((ex) => `${row.name}: ${ex.method} ${ex.hostKind} ${ex.path}`),
  );
}
