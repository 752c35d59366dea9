import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { TEST_SECRET } from './orchestrator.ts';

/**
 * The orchestrator as its own OS process (`orchestrator/src/main.ts`), exactly as production runs it,
 * so tests can SIGKILL it. Logs go to `<dir>/orchestrator-<n>.log`.
 */
export function spawnOrchestrator(opts: {
  databaseUrl: string;
  dir: string;
  kubeConfig?: KubeConfig;
  env?: Record<string, string>;
}): ChildProcess {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: opts.databaseUrl,
    CLAWLOOPS_SECRET: TEST_SECRET,
    DATA_DIR: opts.dir,
    LOG_LEVEL: 'info',
    ...opts.env,
  };
  if (opts.kubeConfig) {
    const file = join(opts.dir, 'kubeconfig.json');
    writeFileSync(file, opts.kubeConfig.exportConfig());
    env.KUBECONFIG = file;
    env.RUNTIME_DRIVER = 'kubernetes';
  }
  const child = spawn(process.execPath, ['orchestrator/src/main.ts'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.resume();
  child.stderr?.resume();
  return child;
}
