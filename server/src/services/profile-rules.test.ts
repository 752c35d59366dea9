import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../../schema/domain/profiles.ts';
import {
  cpuMillis,
  type ProfileValues,
  profileSnapshot,
  validateProfile,
} from './profile-rules.ts';

const valid: ProfileValues = {
  name: 'default',
  displayName: 'Default',
  description: '',
  cpuRequest: '250m',
  cpuLimit: '2',
  memoryMiB: 2048,
  heapMiB: null,
  diskGiB: 10,
  openclawVersion: '',
  image: '',
  terminal: false,
  idleTimeoutMinutes: null,
  isDefault: true,
  availableToAll: true,
};

describe('cpuMillis', () => {
  it.each([
    ['250m', 250],
    ['0.5', 500],
    ['2', 2000],
    ['1.125', 1125],
    ['2.5m', Number.NaN],
    ['1e3', Number.NaN],
    ['-1', Number.NaN],
    ['1.2345', Number.NaN],
    ['', Number.NaN],
  ])('%s → %s', (q, m) => expect(cpuMillis(q)).toBe(m));
});

describe('validateProfile', () => {
  it('accepts the built-in default and a full custom profile', () => {
    expect(validateProfile(valid)).toEqual([]);
    expect(
      validateProfile({
        ...valid,
        name: 'big-4',
        cpuRequest: '1',
        cpuLimit: '4',
        memoryMiB: 8192,
        heapMiB: 6144,
        openclawVersion: '2026.10.1-beta.2',
        image: 'registry.example.com:5000/team/open-claw',
        idleTimeoutMinutes: 30,
        isDefault: false,
        availableToAll: false,
      }),
    ).toEqual([]);
  });

  it.each<[Partial<ProfileValues>, string, RegExp]>([
    [{ name: 'Big' }, 'name', /lowercase/],
    [{ name: '-x' }, 'name', /lowercase/],
    [{ name: 'a'.repeat(64) }, 'name', /1–63/],
    [{ displayName: '  ' }, 'displayName', /1–128/],
    [{ cpuRequest: '250M' }, 'cpuRequest', /CPU quantity/],
    [{ cpuLimit: '0' }, 'cpuLimit', /CPU quantity/],
    [{ cpuRequest: '3', cpuLimit: '2' }, 'cpuRequest', /must not exceed the CPU limit \(2\)/],
    [{ memoryMiB: 100 }, 'memoryMiB', /from 256 to/],
    [{ memoryMiB: 1024.5 }, 'memoryMiB', /whole number/],
    [{ heapMiB: 2048 }, 'heapMiB', /below the memory limit \(2048 MiB\)/],
    [{ heapMiB: 32 }, 'heapMiB', /from 64/],
    [{ diskGiB: 0 }, 'diskGiB', /GiB from 1/],
    [{ idleTimeoutMinutes: -1 }, 'idleTimeoutMinutes', /minutes from 0/],
    [{ idleTimeoutMinutes: 1.5 }, 'idleTimeoutMinutes', /whole number/],
    [{ openclawVersion: 'latest' }, 'openclawVersion', /release such as/],
    [{ openclawVersion: '2026.9' }, 'openclawVersion', /release such as/],
    [{ openclawVersion: '1.2.3+build' }, 'openclawVersion', /release such as/],
    [{ image: 'ghcr.io/openclaw/openclaw:2026.9.6' }, 'image', /without tag/],
    [{ image: 'ghcr.io/OpenClaw' }, 'image', /without tag/],
    [{ image: 'a@sha256:abc' }, 'image', /without tag/],
    [{ availableToAll: false }, 'availableToAll', /default profile must be available/],
  ])('%o → %s', (patch, path, message) => {
    const errors = validateProfile({ ...valid, ...patch });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.path).toBe(path);
    expect(errors[0]?.message).toMatch(message);
  });
});

describe('profileSnapshot', () => {
  it('of the seeded default equals DEFAULT_PROFILE, key for key and in order', () => {
    const snap = profileSnapshot(valid);
    expect(snap).toEqual(DEFAULT_PROFILE);
    expect(JSON.stringify(snap)).toBe(JSON.stringify(DEFAULT_PROFILE));
  });

  it('carries optional values only when set', () => {
    const snap = profileSnapshot({ ...valid, heapMiB: 1000, image: 'r/x', idleTimeoutMinutes: 15 });
    expect(snap).toMatchObject({ heapMiB: 1000, image: 'r/x', idleTimeoutMinutes: 15 });
    expect(profileSnapshot({ ...valid, idleTimeoutMinutes: 0 })).toHaveProperty(
      'idleTimeoutMinutes',
      0,
    );
    expect(snap).not.toHaveProperty('displayName');
    expect(snap).not.toHaveProperty('isDefault');
  });
});
