import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createInstaller, estimateProgress, isInstalled, packageDir } from './install.ts';

const silent = { info() {}, warn() {}, error() {}, debug() {} };

describe('estimateProgress', () => {
  it('rises monotonically from 5 and never claims completion', () => {
    const samples = [0, 5_000, 20_000, 60_000, 600_000].map(estimateProgress);
    expect(samples[0]).toBe(5);
    expect(samples).toEqual([...samples].sort((a, b) => a - b));
    expect(Math.max(...samples)).toBe(95);
  });
});

describe('installer', () => {
  it('uses only installs that carry the completion marker', () => {
    const cache = mkdtempSync(join(tmpdir(), 'clawloops-install-'));
    mkdirSync(packageDir(cache, '1.0.0'), { recursive: true });
    writeFileSync(join(packageDir(cache, '1.0.0'), 'openclaw.mjs'), '');
    expect(isInstalled(cache, '1.0.0')).toBe(false);
    writeFileSync(join(cache, '1.0.0', '.clawloops-complete'), '');
    expect(isInstalled(cache, '1.0.0')).toBe(true);
    rmSync(cache, { recursive: true, force: true });
  });

  it('refuses versions that are not plain version strings', async () => {
    const installer = createInstaller({
      cacheDir: '/nonexistent',
      nodeBinary: process.execPath,
      npmBinary: 'npm',
      logger: silent,
    });
    await expect(installer.ensure('../../etc', () => {})).rejects.toThrow(
      /invalid OpenClaw version/,
    );
    await expect(installer.ensure('1.0.0 --global', () => {})).rejects.toThrow(
      /invalid OpenClaw version/,
    );
  });

  it('reports a failed npm install with its reason', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'clawloops-install-'));
    const npm = join(cache, 'fake-npm');
    writeFileSync(
      npm,
      '#!/bin/sh\necho "npm error 404 Not Found - openclaw@0.0.0-nope" >&2\nexit 1\n',
      { mode: 0o755 },
    );
    const installer = createInstaller({
      cacheDir: cache,
      nodeBinary: process.execPath,
      npmBinary: npm,
      logger: silent,
    });
    const progress: number[] = [];
    await expect(installer.ensure('0.0.0-nope', (p) => progress.push(p.progress))).rejects.toThrow(
      /npm install openclaw failed \(exit 1\): npm error 404/,
    );
    expect(progress[0]).toBe(5);
    expect(isInstalled(cache, '0.0.0-nope')).toBe(false);
    rmSync(cache, { recursive: true, force: true });
  });

  it('installs a version once when asked concurrently, and only after npm succeeded', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'clawloops-install-'));
    const npm = join(cache, 'fake-npm');
    const script = `#!/bin/sh
echo run >> "${cache}/npm-runs"
sleep 0.5
mkdir -p node_modules/openclaw && touch node_modules/openclaw/openclaw.mjs
`;
    writeFileSync(npm, script, { mode: 0o755 });
    const options = {
      cacheDir: cache,
      nodeBinary: process.execPath,
      npmBinary: npm,
      logger: silent,
    };
    // Two installers stand for two orchestrator processes sharing the cache.
    const [a, b] = [createInstaller(options), createInstaller(options)];
    const dirs = await Promise.all([
      a.ensure('1.2.3', () => {}),
      b.ensure('1.2.3', () => {}),
      a.ensure('1.2.3', () => {}),
    ]);
    expect(new Set(dirs)).toEqual(new Set([packageDir(cache, '1.2.3')]));
    expect(readFileSync(join(cache, 'npm-runs'), 'utf8')).toBe('run\n');
    expect(isInstalled(cache, '1.2.3')).toBe(true);
    expect(readdirSync(cache).sort()).toEqual(['1.2.3', 'fake-npm', 'npm-runs']);
    rmSync(cache, { recursive: true, force: true });
  });
});
