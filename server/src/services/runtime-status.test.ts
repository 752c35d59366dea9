import { describe, expect, it } from 'vitest';
import type { Condition } from '../../../schema/domain/conditions.ts';
import type { RuntimeRecord } from './runtime-record.ts';
import { deriveProgress, deriveStatus, runtimeOpenUrl } from './runtime-status.ts';

const at = new Date('2026-01-01T00:00:00Z');
const cond = (type: Condition['type'], status: Condition['status'], message = ''): Condition => ({
  type,
  status,
  reason: 'R',
  message,
  lastTransitionTime: at.toISOString(),
  observedGeneration: 2,
});

function runtime(over: Partial<RuntimeRecord> = {}): RuntimeRecord {
  return {
    id: 'r',
    ownerId: 'o',
    createdAt: at,
    desiredState: 'running',
    generation: 2,
    retentionPolicy: 'preserve',
    profile: 'default',
    profileSpec: null,
    runtimeVersion: '',
    restartNonce: 0,
    specUpdatedAt: at,
    stopReason: null,
    phase: 'Starting',
    conditions: [],
    observedGeneration: 2,
    lastError: null,
    readyAt: null,
    lastActivityAt: null,
    statusUpdatedAt: null,
    ...over,
  };
}

describe('deriveStatus', () => {
  it.each([
    [
      'waiting for the orchestrator',
      runtime({ observedGeneration: 1 }),
      { upToDate: false, ready: false },
      'Start requested; waiting for the orchestrator.',
    ],
    [
      'the step in progress',
      runtime({
        conditions: [
          cond('Scheduled', 'True'),
          cond('Installed', 'False', 'Installing OpenClaw 2026.9.6'),
        ],
      }),
      { ready: false },
      'Installing OpenClaw 2026.9.6',
    ],
    [
      'ready',
      runtime({ phase: 'Running', conditions: [cond('Ready', 'True', 'Gateway answers.')] }),
      { ready: true, failed: false },
      'Gateway answers.',
    ],
    [
      'Ready=True but not Running is not ready',
      runtime({ phase: 'Stopping', desiredState: 'stopped', conditions: [cond('Ready', 'True')] }),
      { ready: false },
      'Stopping…',
    ],
    [
      'failed',
      runtime({
        phase: 'Failed',
        lastError: 'exit 1',
        conditions: [cond('Failed', 'True', 'Crashed 5 times.')],
      }),
      { failed: true },
      'Crashed 5 times.',
    ],
    [
      'failed without a message falls back to lastError',
      runtime({ phase: 'Failed', lastError: 'exit 1' }),
      { failed: true },
      'exit 1',
    ],
    [
      'stopped',
      runtime({ phase: 'Stopped', desiredState: 'stopped' }),
      { ready: false },
      'Stopped.',
    ],
    [
      'stopped by the owner',
      runtime({ phase: 'Stopped', desiredState: 'stopped', stopReason: 'StopRequested' }),
      { ready: false },
      'Stopped.',
    ],
    [
      'stopped because idle says so',
      runtime({ phase: 'Stopped', desiredState: 'stopped', stopReason: 'Idle' }),
      { ready: false },
      'Stopped because it was idle. Start it again when you need it; your data is kept.',
    ],
    [
      'an idle stop still on its way is "Stopping…"',
      runtime({ phase: 'Stopping', desiredState: 'stopped', stopReason: 'Idle' }),
      { ready: false },
      'Stopping…',
    ],
    [
      'max age',
      runtime({ phase: 'Stopped', desiredState: 'stopped', stopReason: 'MaxAge' }),
      { ready: false },
      'Stopped: it reached the maximum run time. Start it again when you need it.',
    ],
  ])('%s', (_name, r, expected, message) => {
    const s = deriveStatus(r);
    expect(s).toMatchObject(expected);
    expect(s.message).toBe(message);
  });
});

describe('deriveProgress', () => {
  it.each([
    ['spec not yet observed', runtime({ observedGeneration: 1 }), null, 0],
    [
      'two steps done',
      runtime({ conditions: [cond('Scheduled', 'True'), cond('Installed', 'True')] }),
      null,
      50,
    ],
    [
      'the orchestrator’s figure when further',
      runtime({ conditions: [cond('Scheduled', 'True')] }),
      60,
      60,
    ],
    ['never 100 before Ready', runtime({ conditions: [cond('Started', 'True')] }), 100, 99],
    ['ready', runtime({ phase: 'Running', conditions: [cond('Ready', 'True')] }), null, 100],
    ['failed is terminal', runtime({ phase: 'Failed' }), 30, 100],
    ['stopping', runtime({ desiredState: 'stopped', phase: 'Stopping' }), null, 50],
    ['stopped', runtime({ desiredState: 'stopped', phase: 'Stopped' }), null, 100],
    ['deleted', runtime({ desiredState: 'deleted', phase: 'Deleted' }), null, 100],
  ])('%s', (_name, r, eventProgress, expected) => {
    expect(deriveProgress(r, eventProgress)).toBe(expected);
  });
});

describe('runtimeOpenUrl', () => {
  it.each([
    [{ PUBLIC_URL: 'http://localhost:8080' }, 'alice', 'http://u-alice.localhost:8080'],
    [{ PUBLIC_URL: 'https://claw.example.com' }, 'Bob', 'https://u-bob.claw.example.com'],
    [
      { PUBLIC_URL: 'https://app.example.com/', RUNTIME_BASE_DOMAIN: '.rt.example.com' },
      'alice',
      'https://u-alice.rt.example.com',
    ],
    [{ PUBLIC_URL: 'http://localhost:8080' }, 'a.b', 'http://u-a-b-c5e58a.localhost:8080'],
  ])('%o + %s', (config, username, url) => {
    const got = runtimeOpenUrl(config, username);
    expect(got.replace(/-[0-9a-f]{6}\./, '-HASH.')).toBe(url.replace(/-[0-9a-f]{6}\./, '-HASH.'));
  });
});
