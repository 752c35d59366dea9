import { z } from 'zod';

/**
 * A runtime profile: how big a runtime is and what it may do. Admins define profiles in the
 * `runtime_profiles` table; the server copies the chosen one into the runtime's spec
 * (`runtimes.profile_spec`) at each start, and the orchestrator renders that copy. Runtimes without a
 * copy (started before profiles were stored) get the built-in profile of their name.
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
  /**
   * Kubernetes: gateway image repository without tag (the tag is the OpenClaw version). Absent or
   * empty: the platform's `OPENCLAW_IMAGE`. The local driver ignores it.
   */
  image?: string;
  /** Idle-stop override in minutes; 0 = never. Unset or null: the platform's idle timeout. */
  idleTimeoutMinutes?: number | null;
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

/**
 * The profile copy stored in a runtime's spec, as the orchestrator reads it back. Structural only
 * (the server validated the values when the admin saved the profile). Parsing yields the keys in
 * this order and drops unknown ones, so equal copies hash equally.
 */
export const profileSnapshotSchema = z.object({
  name: z.string().min(1).max(63),
  cpuRequest: z.string().min(1).max(32),
  cpuLimit: z.string().min(1).max(32),
  memoryMiB: z.int().positive(),
  heapMiB: z.int().positive().optional(),
  diskGiB: z.int().positive(),
  openclawVersion: z.string().max(128),
  terminal: z.boolean(),
  image: z.string().max(255).optional(),
  idleTimeoutMinutes: z.number().min(0).nullable().optional(),
});

/** Reads a stored profile copy; throws a readable message when it is malformed. */
export function parseProfileSnapshot(value: unknown): RuntimeProfile {
  const parsed = profileSnapshotSchema.safeParse(
    typeof value === 'string' ? JSON.parse(value) : value,
  );
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid runtime profile in the runtime's spec (${detail}).`);
  }
  return parsed.data;
}
