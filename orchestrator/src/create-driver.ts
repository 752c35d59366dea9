import { KubeConfig } from '@kubernetes/client-node';
import { localDriverDir } from '../../schema/domain/local-layout.ts';
import type { OrchestratorConfig } from './config.ts';
import type { RuntimeDriver } from './drivers/driver.ts';
import { createKubernetesDriver } from './drivers/kubernetes/kubernetes-driver.ts';
import { createLocalDriver } from './drivers/local/local-driver.ts';
import type { Logger } from './logger.ts';

/** Chooses the Runtime Manager backend from configuration. */
export function createDriver(config: OrchestratorConfig, logger: Logger): RuntimeDriver {
  if (config.RUNTIME_DRIVER === 'kubernetes') {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromDefault();
    return createKubernetesDriver({
      kubeConfig,
      namespace: config.RUNTIME_NAMESPACE,
      image: config.OPENCLAW_IMAGE,
      baseDomain: config.RUNTIME_BASE_DOMAIN ?? new URL(config.PUBLIC_URL).hostname,
      logger,
    });
  }
  return createLocalDriver({ dataDir: localDriverDir(config.DATA_DIR), logger });
}
