import { z } from 'zod';

/** Orchestrator settings from the environment (documented in README.md "Configuration"). */
export const orchestratorConfigSchema = z.object({
  DATABASE_URL: z.string().min(1, 'DATABASE_URL is required'),
  CLAWLOOPS_SECRET: z.string().min(32, 'CLAWLOOPS_SECRET must be at least 32 characters'),
  PUBLIC_URL: z.url().default('http://localhost:8080'),
  RUNTIME_BASE_DOMAIN: z.string().optional(),
  RUNTIME_DRIVER: z.enum(['local', 'kubernetes']).default('local'),
  DATA_DIR: z.string().default('.data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Human-readable logs instead of JSON. @default whether stdout is a terminal */
  LOG_PRETTY: z
    .enum(['true', 'false', '1', '0'])
    .transform((v) => v === 'true' || v === '1')
    .optional(),
  /**
   * Stop every runtime when this process shuts down. On for the embedded default (`npm start`
   * stops what it started; desired state is kept, so the next start brings them back); off for a
   * standalone orchestrator, whose replacement adopts running workloads instead.
   */
  STOP_RUNTIMES_ON_EXIT: z
    .enum(['true', 'false', '1', '0'])
    .transform((v) => v === 'true' || v === '1')
    .default(false),
  ORCHESTRATOR_WORKERS: z.coerce.number().int().min(1).max(64).default(4),
  MAX_CONCURRENT_STARTS: z.coerce.number().int().min(1).default(4),
  /** Kubernetes driver: namespace for runtimes. */
  RUNTIME_NAMESPACE: z.string().default('clawloops-runtimes'),
  OPENCLAW_IMAGE: z.string().default('ghcr.io/openclaw/openclaw'),
  /**
   * Credential-proxy base URL as runtimes reach it. The embedded server passes its own
   * (`http://127.0.0.1:<PORT>/v1`); a stand-alone orchestrator must be told (in Kubernetes, the proxy's
   * Service URL). Unset: runtimes get no model provider.
   */
  MODEL_PROXY_URL: z.url().optional(),
  /** Port of `/metrics`, `/livez`, `/readyz` (ops-server.ts); also served by the embedded worker. */
  ORCHESTRATOR_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  ORCHESTRATOR_METRICS_HOST: z.string().default('0.0.0.0'),
  /** Bearer token for `/metrics` (shared with the server's). Unset: loopback scrapers only. */
  METRICS_TOKEN: z.string().min(16).optional(),
});

export type OrchestratorConfig = z.infer<typeof orchestratorConfigSchema>;

export function parseOrchestratorConfig(env: NodeJS.ProcessEnv): OrchestratorConfig {
  const result = orchestratorConfigSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid orchestrator configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}
