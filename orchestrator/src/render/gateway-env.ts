import { heapMiB, type RuntimeProfile } from '../../../schema/domain/profiles.ts';

/**
 * Environment every OpenClaw gateway runs with, under either driver (OpenClaw's embedding preset,
 * docs/gateway/embedding.md): we are its supervisor, so it must not respawn, self-update, advertise
 * over mDNS or snapshot a login shell. Paths and secrets are added by each driver.
 */
export function gatewayBaseEnv(profile: RuntimeProfile): Record<string, string> {
  return {
    NODE_ENV: 'production',
    // V8 ignores cgroup limits; cap the heap below the memory limit.
    NODE_OPTIONS: `--max-old-space-size=${heapMiB(profile)}`,
    OPENCLAW_DISABLE_BONJOUR: '1',
    OPENCLAW_NO_RESPAWN: '1',
    OPENCLAW_SUPERVISOR_MODE: 'external',
    OPENCLAW_NO_AUTO_UPDATE: '1',
    OPENCLAW_EXEC_SHELL_SNAPSHOT: '0',
    OPENCLAW_OFFLINE: '1',
  };
}
