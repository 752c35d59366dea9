import type { RuntimeProfile } from '../../../schema/domain/profiles.ts';
import type { FieldError } from '../graphql/errors.ts';

/** A runtime profile's stored values (what an admin edits), without ids, users and timestamps. */
export interface ProfileValues {
  name: string;
  displayName: string;
  description: string;
  cpuRequest: string;
  cpuLimit: string;
  memoryMiB: number;
  heapMiB: number | null;
  diskGiB: number;
  openclawVersion: string;
  image: string;
  terminal: boolean;
  idleTimeoutMinutes: number | null;
  isDefault: boolean;
  availableToAll: boolean;
}

const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** Whole or milli CPUs, as Kubernetes writes them for CPU: `250m`, `0.5`, `2`. */
const CPU = /^(\d{1,6}m|\d{1,4}(\.\d{1,3})?)$/;
/** An exact release, usable both as an npm version (local driver) and an image tag (Kubernetes). */
const VERSION = /^\d{1,9}\.\d{1,9}\.\d{1,9}(-[0-9A-Za-z][0-9A-Za-z.-]{0,63})?$/;
const IMAGE_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
/** `[registry[:port]/]path` without tag or digest (the tag is the OpenClaw version). */
const IMAGE = new RegExp(
  `^(?:[a-zA-Z0-9.-]+(?::\\d{1,5})?/)?${IMAGE_COMPONENT}(?:/${IMAGE_COMPONENT})*$`,
);

export const PROFILE_BOUNDS = {
  memoryMiB: [256, 1_048_576],
  heapMiB: [64, 1_048_576],
  diskGiB: [1, 65_536],
  idleTimeoutMinutes: [0, 525_600],
} as const;

/** Millicores of a CPU quantity accepted by `CPU` (NaN otherwise). */
export function cpuMillis(quantity: string): number {
  if (!CPU.test(quantity)) return Number.NaN;
  return quantity.endsWith('m')
    ? Number(quantity.slice(0, -1))
    : Math.round(Number(quantity) * 1000);
}

/** Every problem with a profile as it would be stored, keyed by field name. Pure. */
export function validateProfile(v: ProfileValues): FieldError[] {
  const errors: FieldError[] = [];
  const add = (path: string, message: string) => errors.push({ path, message });
  if (!NAME.test(v.name)) add('name', 'must be 1–63 lowercase letters, digits and dashes');
  const display = v.displayName.trim();
  if (display.length < 1 || display.length > 128) add('displayName', 'must be 1–128 characters');
  if (v.description.length > 2000) add('description', 'must be at most 2000 characters');
  for (const f of ['cpuRequest', 'cpuLimit'] as const) {
    if (!(cpuMillis(v[f]) > 0)) add(f, 'must be a Kubernetes CPU quantity such as 250m, 0.5 or 2');
  }
  if (cpuMillis(v.cpuLimit) > 0 && cpuMillis(v.cpuRequest) > cpuMillis(v.cpuLimit))
    add('cpuRequest', `must not exceed the CPU limit (${v.cpuLimit})`);
  wholeIn(v.memoryMiB, 'memoryMiB', 'MiB', add);
  wholeIn(v.diskGiB, 'diskGiB', 'GiB', add);
  if (v.heapMiB !== null) {
    wholeIn(v.heapMiB, 'heapMiB', 'MiB', add);
    if (v.heapMiB >= v.memoryMiB)
      add(
        'heapMiB',
        `must be below the memory limit (${v.memoryMiB} MiB): V8 needs room outside the heap`,
      );
  }
  if (v.idleTimeoutMinutes !== null)
    wholeIn(v.idleTimeoutMinutes, 'idleTimeoutMinutes', 'minutes', add);
  if (v.openclawVersion !== '' && !VERSION.test(v.openclawVersion))
    add(
      'openclawVersion',
      'must be a release such as 2026.9.6 (or empty for the platform default)',
    );
  if (v.image !== '' && (v.image.length > 255 || !IMAGE.test(v.image)))
    add('image', 'must be an image repository without tag, e.g. ghcr.io/openclaw/openclaw');
  if (v.isDefault && !v.availableToAll)
    add('availableToAll', 'the default profile must be available to everyone');
  return errors;
}

function wholeIn(
  value: number,
  field: keyof typeof PROFILE_BOUNDS,
  unit: string,
  add: (path: string, message: string) => void,
): void {
  const [min, max] = PROFILE_BOUNDS[field];
  if (!Number.isInteger(value) || value < min || value > max)
    add(field, `must be a whole number of ${unit} from ${min} to ${max}`);
}

/**
 * The copy written into a runtime's spec: only what shapes the runtime, keys always in this order and
 * optional ones only when set, so an unchanged profile keeps the workload's template hash.
 */
export function profileSnapshot(v: ProfileValues): RuntimeProfile {
  return {
    name: v.name,
    cpuRequest: v.cpuRequest,
    cpuLimit: v.cpuLimit,
    memoryMiB: v.memoryMiB,
    ...(v.heapMiB !== null ? { heapMiB: v.heapMiB } : {}),
    diskGiB: v.diskGiB,
    openclawVersion: v.openclawVersion,
    terminal: v.terminal,
    ...(v.image ? { image: v.image } : {}),
    ...(v.idleTimeoutMinutes !== null ? { idleTimeoutMinutes: v.idleTimeoutMinutes } : {}),
  };
}
