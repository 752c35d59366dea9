/**
 * A runtime profile: how big a runtime is and what it may do. Admin-defined profiles come later
 * (Operations issue); until then the built-in `default` profile applies.
 */
export interface RuntimeProfile {
  name: string;
  /** Kubernetes CPU quantity for requests and limits. */
  cpuRequest: string;
  cpuLimit: string;
  /** Memory limit in MiB; the V8 heap cap is derived from it unless `heapMiB` is set. */
  memoryMiB: number;
  /** `--max-old-space-size` for the gateway. @default 75% of memoryMiB */
  heapMiB?: number;
  /** Workspace volume size. */
  diskGiB: number;
  /** OpenClaw version (npm, local driver) / image tag (Kubernetes); empty = platform default. */
  openclawVersion: string;
  /** Host terminal for operators inside the Control UI. Off by default: it is a shell on the host. */
  terminal: boolean;
}

export const DEFAULT_PROFILE: RuntimeProfile = {
  name: 'default',
  cpuRequest: '250m',
  cpuLimit: '2',
  memoryMiB: 2048,
  diskGiB: 10,
  openclawVersion: '',
  terminal: false,
};

export function heapMiB(profile: RuntimeProfile): number {
  return profile.heapMiB ?? Math.floor(profile.memoryMiB * 0.75);
}

/** Pinned OpenClaw release used when neither the spec nor the profile names one. */
export const DEFAULT_OPENCLAW_VERSION = '2026.9.6';
