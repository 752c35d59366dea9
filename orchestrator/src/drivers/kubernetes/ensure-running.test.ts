import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { replacementReason } from './ensure-running.ts';

const pod = (template: string, spec: string, phase?: string): V1Pod => ({
  metadata: {
    annotations: { 'clawloops.io/template-hash': template, 'clawloops.io/spec-hash': spec },
  },
  ...(phase ? { status: { phase } } : {}),
});
const desired = pod('t1', 's1');

describe('replacementReason', () => {
  it.each([
    ['same template and spec', pod('t1', 's1', 'Running'), undefined],
    ['pending pod', pod('t1', 's1', 'Pending'), undefined],
    ['new template hash', pod('t0', 's1', 'Running'), 'TemplateChanged'],
    ['driver renders a different spec', pod('t1', 's0', 'Running'), 'SpecChanged'],
    ['evicted / failed', pod('t1', 's1', 'Failed'), 'PodFailed'],
    ['exited', pod('t1', 's1', 'Succeeded'), 'PodSucceeded'],
    ['node lost', pod('t1', 's1', 'Unknown'), 'PodUnknown'],
    ['no annotations (created by hand)', { metadata: {} }, 'TemplateChanged'],
  ])('%s → %s', (_name, current, expected) => {
    expect(replacementReason(current, desired)).toBe(expected);
  });
});
