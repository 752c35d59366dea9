import { describe, expect, it } from 'vitest';
import {
  gatewayPodSelector,
  hashedName,
  isDns1035Label,
  isDns1123Label,
  isLabelValue,
  LABELS,
  MANAGED_BY,
  managedSelector,
  ownerLabels,
  runtimeIdOf,
  runtimeLabels,
  runtimeObjectName,
  workspaceClaimName,
} from './names.ts';

const UUID = '3f2a9c1e-2b7d-4c1a-9e0f-1234567890ab';

// Inputs chosen to break naive slugging: case, punctuation, unicode, length, empties, near-collisions.
const NASTY = [
  UUID,
  UUID.toUpperCase(),
  'alice',
  'Alice',
  'ALICE',
  'bob.smith',
  'bob_smith',
  'bob-smith',
  'bob--smith',
  '-bob-',
  '',
  '-',
  '...',
  'ünïcödé',
  '日本語',
  'a'.repeat(300),
  `${'a'.repeat(300)}b`,
  '0starts-with-digit',
  'x y\tz\n',
  '../etc/passwd',
];

describe('hashedName', () => {
  it.each([
    ['rt', UUID, /^rt-3f2a9c1e-2b7d-4c1a-9e0f-1234567890ab-[0-9a-f]{8}$/],
    ['ws', 'Alice', /^ws-alice-[0-9a-f]{8}$/],
    ['rt', '', /^rt-[0-9a-f]{8}$/],
    ['rt', '日本語', /^rt-[0-9a-f]{8}$/],
    ['rt', '-bob-', /^rt-bob-[0-9a-f]{8}$/],
    ['ws', 'a'.repeat(300), /^ws-a{51}-[0-9a-f]{8}$/],
  ])('%s / %j → %s', (prefix, value, expected) => {
    expect(hashedName(prefix, value)).toMatch(expected);
  });

  it.each(NASTY)('is a DNS-1035 label of ≤ 63 characters for %j', (value) => {
    for (const name of [runtimeObjectName(value), workspaceClaimName(value)]) {
      expect(name.length).toBeLessThanOrEqual(63);
      expect(isDns1035Label(name)).toBe(true);
      expect(isDns1123Label(name)).toBe(true);
    }
  });

  it('is deterministic', () => {
    for (const value of NASTY) {
      expect(runtimeObjectName(value)).toBe(runtimeObjectName(value));
      expect(workspaceClaimName(value)).toBe(workspaceClaimName(value));
    }
  });

  it('maps distinct inputs to distinct names', () => {
    expect(new Set(NASTY.map(runtimeObjectName)).size).toBe(NASTY.length);
    expect(new Set(NASTY.map(workspaceClaimName)).size).toBe(NASTY.length);
  });

  it('keeps runtime and workspace names apart for the same id', () => {
    expect(runtimeObjectName(UUID)).not.toBe(workspaceClaimName(UUID));
  });

  it('never truncates into a trailing dash before the hash', () => {
    const value = `${'a'.repeat(50)}-${'b'.repeat(20)}`;
    expect(hashedName('rt', value)).not.toMatch(/--/);
  });

  it.each(['', 'RT', '1rt', 'rt-x', 'averyverylongprefix'])('rejects prefix %j', (prefix) => {
    expect(() => hashedName(prefix, 'x')).toThrow(/prefix/);
  });
});

describe('label validators', () => {
  it.each([
    ['abc', true, true, true],
    ['a-b', true, true, true],
    ['1ab', true, false, true],
    ['-ab', false, false, false],
    ['ab-', false, false, false],
    ['Ab', false, false, true],
    ['a.b', false, false, true],
    ['a_b', false, false, true],
    ['', false, false, true],
    ['a'.repeat(63), true, true, true],
    ['a'.repeat(64), false, false, false],
  ])('%j: 1123=%s 1035=%s labelValue=%s', (value, dns1123, dns1035, labelValue) => {
    expect(isDns1123Label(value)).toBe(dns1123);
    expect(isDns1035Label(value)).toBe(dns1035);
    expect(isLabelValue(value)).toBe(labelValue);
  });
});

describe('labels', () => {
  it('labels per-runtime objects with managed-by, component, runtime and owner', () => {
    expect(runtimeLabels(UUID, 'owner-1', 'gateway')).toEqual({
      'app.kubernetes.io/managed-by': 'clawloops',
      'app.kubernetes.io/name': 'openclaw',
      'app.kubernetes.io/component': 'gateway',
      'clawloops.io/runtime-id': UUID,
      'clawloops.io/owner-id': 'owner-1',
    });
  });

  it('labels per-owner objects without a runtime id', () => {
    const labels = ownerLabels('owner-1', 'workspace');
    expect(labels[LABELS.ownerId]).toBe('owner-1');
    expect(labels[LABELS.runtimeId]).toBeUndefined();
  });

  it.each(['', 'a'.repeat(64), 'has space', 'ünï'])(
    'refuses id %j that cannot be a label',
    (id) => {
      expect(() => runtimeLabels(id, 'o', 'gateway')).toThrow(/label value/);
      expect(() => runtimeLabels('r', id, 'gateway')).toThrow(/label value/);
      expect(() => gatewayPodSelector(id)).toThrow(/label value/);
    },
  );

  it('gives every label a valid key/value', () => {
    for (const [key, value] of Object.entries(runtimeLabels(UUID, UUID, 'network-policy'))) {
      expect(key).toMatch(/^([a-z0-9.-]+\/)?[a-z0-9A-Z]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/);
      expect(isLabelValue(value)).toBe(true);
    }
  });

  it('selects the gateway pod by a subset of its labels', () => {
    const podLabels = runtimeLabels(UUID, 'o', 'gateway');
    for (const [key, value] of Object.entries(gatewayPodSelector(UUID))) {
      expect(podLabels[key]).toBe(value);
    }
  });

  it('builds selectors', () => {
    expect(managedSelector()).toBe('app.kubernetes.io/managed-by=clawloops');
    expect(managedSelector('anchor')).toBe(
      'app.kubernetes.io/managed-by=clawloops,app.kubernetes.io/component=anchor',
    );
  });

  it.each([
    [runtimeLabels(UUID, 'o', 'anchor'), UUID],
    [ownerLabels('o', 'workspace'), undefined],
    [{ [LABELS.runtimeId]: UUID }, undefined],
    [{ [LABELS.managedBy]: 'someone-else', [LABELS.runtimeId]: UUID }, undefined],
    [{ [LABELS.managedBy]: MANAGED_BY, [LABELS.runtimeId]: '' }, undefined],
    [undefined, undefined],
  ])('runtimeIdOf(%j) = %s', (labels, expected) => {
    expect(runtimeIdOf(labels)).toBe(expected);
  });
});
