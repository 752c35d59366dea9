import type { RuntimePhase } from '../gql/graphql.ts';
import { titleCase } from '../lib/format.ts';
import { Badge, type Tone } from './ui.tsx';

const TONES: Record<RuntimePhase, Tone> = {
  RUNNING: 'good',
  FAILED: 'bad',
  PENDING: 'busy',
  STARTING: 'busy',
  STOPPING: 'busy',
  DELETING: 'busy',
  STOPPED: 'neutral',
  DELETED: 'neutral',
};

export function PhaseBadge({ phase, ready }: { phase: RuntimePhase; ready?: boolean }) {
  const label = phase === 'RUNNING' && ready === false ? 'Running (not ready)' : titleCase(phase);
  return (
    <Badge tone={phase === 'RUNNING' && ready === false ? 'busy' : TONES[phase]}>{label}</Badge>
  );
}
