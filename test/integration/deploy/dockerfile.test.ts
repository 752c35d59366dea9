import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './render.ts';

/**
 * deploy/docker/Dockerfile cannot be built here (no container engine): these checks read it. Stages
 * and their order, that every file it copies or runs exists in the repo, that the SPA is built with
 * the repo's Vite config, and that the final image runs as a non-root user.
 */
const DOCKERFILE = join(REPO, 'deploy/docker/Dockerfile');

interface Instruction {
  op: string;
  args: string;
  stage: string;
}

function parse(text: string): Instruction[] {
  const out: Instruction[] = [];
  let stage = '';
  const joined = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  for (const raw of joined.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const [, op = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (op.toUpperCase() === 'FROM') stage = /\bAS\s+(\S+)/i.exec(args)?.[1] ?? '';
    out.push({ op: op.toUpperCase(), args, stage });
  }
  return out;
}

const text = readFileSync(DOCKERFILE, 'utf8');
const steps = parse(text);
const stages = steps.filter((s) => s.op === 'FROM').map((s) => s.stage);
const final = steps.filter((s) => s.stage === stages.at(-1));

describe('deploy/docker/Dockerfile', () => {
  it('is multi-stage on the Node 24 the project pins', () => {
    expect(stages).toEqual(['deps', 'web', 'prune', 'runtime']);
    const version = /ARG NODE_VERSION=(\S+)/.exec(text)?.[1];
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
    expect(version).toBe(pkg.dependencies.node);
    for (const from of steps.filter((s) => s.op === 'FROM')) {
      expect(from.args).toMatch(/^(node:\$\{NODE_VERSION\}-bookworm-slim|deps)\b/);
    }
  });

  it('installs from the lockfile, builds the SPA with the repo config, prunes dev dependencies', () => {
    const runs = steps.filter((s) => s.op === 'RUN').map((s) => s.args);
    expect(runs.some((r) => /\bnpm ci\b/.test(r))).toBe(true);
    const vite = runs.find((r) => r.includes('vite build')) as string;
    const config = /--config\s+(\S+)/.exec(vite)?.[1] as string;
    expect(existsSync(join(REPO, config)), config).toBe(true);
    expect(runs.some((r) => /npm prune --omit=dev/.test(r))).toBe(true);
  });

  it('copies only paths that exist, and only from earlier stages', () => {
    for (const [i, s] of steps.entries()) {
      if (s.op !== 'COPY') continue;
      const parts = s.args.split(/\s+/);
      const from = parts.find((p) => p.startsWith('--from='))?.slice('--from='.length);
      const paths = parts.filter((p) => !p.startsWith('--'));
      const sources = paths.slice(0, -1);
      if (from) {
        expect(stages.slice(0, stages.indexOf(s.stage))).toContain(from);
        expect(steps.slice(0, i).some((x) => x.stage === from)).toBe(true);
      } else {
        for (const src of sources) expect(existsSync(join(REPO, src)), src).toBe(true);
      }
    }
  });

  it('runs as a numeric non-root user in the final stage', () => {
    const user = final.filter((s) => s.op === 'USER').at(-1)?.args ?? '';
    const uid = Number(user.split(':')[0]);
    expect(Number.isInteger(uid) && uid > 0, `USER ${user}`).toBe(true);
  });

  it('every `node <entry>` it names exists: server (default), orchestrator, credential proxy', () => {
    const cmd = JSON.parse(final.find((s) => s.op === 'CMD')?.args ?? '[]');
    expect(cmd).toEqual(['node', 'server/src/main.ts']);
    const entries = [...text.matchAll(/\bnode\s+([\w./-]+\.ts)\b/g)].map((m) => m[1] ?? '');
    expect(new Set(entries)).toEqual(
      new Set(['server/src/main.ts', 'orchestrator/src/main.ts', 'server/src/model-proxy/main.ts']),
    );
    for (const entry of entries) expect(existsSync(join(REPO, entry)), entry).toBe(true);
    // The runtime stage copies every folder those entry points import from.
    const copied = final.filter((s) => s.op === 'COPY').map((s) => s.args);
    for (const dir of ['schema/', 'server/', 'orchestrator/', 'node_modules']) {
      expect(
        copied.some((c) => c.includes(dir)),
        dir,
      ).toBe(true);
    }
  });

  it('keeps tests and local state out of the build context', () => {
    const ignore = readFileSync(`${DOCKERFILE}.dockerignore`, 'utf8').split('\n');
    for (const entry of ['**/node_modules', '.git', '.data', 'web/dist', 'test']) {
      expect(ignore).toContain(entry);
    }
  });
});
