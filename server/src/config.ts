import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/**
 * Every setting, from the environment. Documented in README.md ("Configuration"); keep both in step.
 * Parsed once in main.ts; everything else receives the parsed object.
 */
export const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  /** External URL of the app, used in links (setup, invitations). Unset: http://localhost:<PORT>. */
  PUBLIC_URL: z.url().optional(),
  /** PostgreSQL URL. Unset: embedded PostgreSQL under DATA_DIR. */
  DATABASE_URL: z.string().optional(),
  DATA_DIR: z.string().default('.data'),
  /** ≥32 chars; signs sessions and derives runtime credentials. Unset: generated into DATA_DIR once. */
  CLAWLOOPS_SECRET: z.string().min(32).optional(),
  COOKIE_SECURE: bool.default(false),
  /** e.g. `.example.com` so one login covers the runtime subdomains. */
  COOKIE_DOMAIN: z.string().optional(),
  SESSION_TTL_HOURS: z.coerce.number().positive().default(168),
  /** Base domain of runtime hosts `u-<name>.<domain>`; default derived from PUBLIC_URL's host. */
  RUNTIME_BASE_DOMAIN: z.string().optional(),
  /** Proxies (IPs/CIDRs, comma-separated) whose X-Forwarded-* the entrance believes. */
  TRUSTED_PROXIES: z
    .string()
    .default('127.0.0.1,::1')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  /** Admins may open other users' runtimes through the entrance (every access audited). */
  ADMIN_RUNTIME_ACCESS: bool.default(false),
  /** Run the orchestrator inside the server process (embedded default). */
  EMBEDDED_ORCHESTRATOR: bool.default(true),
  /** `local` (child processes) or `kubernetes`. */
  RUNTIME_DRIVER: z.enum(['local', 'kubernetes']).default('local'),
  /**
   * Encrypts model-route upstream credentials at rest (any string; hashed to an AES-256 key). Unset: a
   * key derived from CLAWLOOPS_SECRET. Changing it makes stored credentials unreadable: set them again.
   */
  MODEL_CREDENTIAL_KEY: z.string().min(16).optional(),
  /** Serve the credential proxy under /v1 on this server (off when it runs as its own process). */
  MODEL_PROXY_EMBEDDED: bool.default(true),
  /** Credential-proxy base URL as runtimes reach it. Default: http://127.0.0.1:<PORT>/v1 (embedded). */
  MODEL_PROXY_URL: z.url().optional(),
  /** Port of the stand-alone proxy (`node server/src/model-proxy/main.ts`). */
  MODEL_PROXY_PORT: z.coerce.number().int().min(0).max(65535).default(8090),
  /** Upstream time to response headers, and longest silence inside a streamed body. */
  MODEL_UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(1000).default(120_000),
  /**
   * Runtimes that may be desired running at once, platform-wide; a start beyond it is refused with
   * `RuntimeLimitExceededError`. Unset: no limit.
   */
  MAX_RUNNING_RUNTIMES: z.coerce.number().int().min(1).optional(),
  /**
   * Runtimes one user may have desired running at once, unless the user has an override
   * (`setUserRuntimeLimit`). 0: none without an override.
   */
  MAX_RUNNING_RUNTIMES_PER_USER: z.coerce.number().int().min(0).default(1),
  /**
   * Stop runtimes after this many minutes without activity (desired state `stopped`, reason `Idle`;
   * data kept). Decimals allowed; 0: never. A profile's `idleTimeoutMinutes` overrides it.
   */
  IDLE_TIMEOUT_MINUTES: z.coerce.number().min(0).default(60),
  /** Stop runtimes this many hours after their last start, active or not (reason `MaxAge`). 0: never. */
  MAX_RUNTIME_AGE_HOURS: z.coerce.number().min(0).default(0),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Human-readable logs instead of JSON (default when stdout is a terminal). */
  LOG_PRETTY: bool.optional(),
  /**
   * Bearer token for `/metrics` (here and on the orchestrator's metrics port). Unset: only loopback
   * callers and TRUSTED_PROXIES themselves may scrape.
   */
  METRICS_TOKEN: z.string().min(16).optional(),
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(2).default(12),
  GRAPHQL_MAX_TOKENS: z.coerce.number().int().min(100).default(2000),
  /** Live subscriptions one user may hold open in one server process, over all sockets and SSE. */
  MAX_LIVE_STREAMS_PER_USER: z.coerce.number().int().min(1).default(256),
});

export type Config = Omit<z.infer<typeof configSchema>, 'PUBLIC_URL'> & { PUBLIC_URL: string };

export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  // Links printed and sent (setup, invitations, runtime origins) must point where the server listens.
  const port = result.data.PORT || 8080;
  return { ...result.data, PUBLIC_URL: result.data.PUBLIC_URL ?? `http://localhost:${port}` };
}
