import type { RuntimeViewFragment } from '../gql/graphql.ts';

type StepState = 'done' | 'current' | 'todo' | 'failed';

const START_STEPS = [
  ['REQUESTED', 'Requested'],
  ['SCHEDULED', 'Scheduled'],
  ['INSTALLED', 'Installed'],
  ['STARTED', 'Started'],
  ['READY', 'Ready'],
] as const;

/** Each start step's state from the conditions (Requested = the orchestrator has seen the spec). */
export function startSteps(
  r: RuntimeViewFragment,
): { key: string; label: string; state: StepState }[] {
  const isTrue = (type: string) =>
    type === 'REQUESTED'
      ? r.status.upToDate
      : r.status.conditions.some((c) => c.type === type && c.status === 'TRUE');
  let blocked = false;
  return START_STEPS.map(([key, label]) => {
    if (!blocked && isTrue(key) && !(key === 'READY' && !r.status.ready))
      return { key, label, state: 'done' };
    const state: StepState = blocked ? 'todo' : r.status.failed ? 'failed' : 'current';
    blocked = true;
    return { key, label, state };
  });
}

const STEP_WORDS: Record<StepState, string> = {
  done: 'done',
  current: 'in progress',
  todo: 'not started',
  failed: 'failed',
};

/**
 * The start of a runtime as named steps ending in Ready, or Failed with the reason. Stops and
 * deletions are one step, so they get the bar alone. The bar is announced politely as it moves.
 */
export function RuntimeProgress({ runtime }: { runtime: RuntimeViewFragment }) {
  const starting = runtime.desiredState === 'RUNNING';
  const failed = runtime.status.failed;
  const failure = runtime.status.conditions.find((c) => c.type === 'FAILED' && c.status === 'TRUE');
  return (
    <div className="progress-block">
      <div className="progress-head">
        <span id="runtime-progress-label">{starting ? 'Start progress' : 'Progress'}</span>
        <span aria-hidden="true">{runtime.progress}%</span>
      </div>
      <progress
        className={failed ? 'is-failed' : runtime.status.ready ? 'is-ready' : ''}
        max={100}
        value={runtime.progress}
        aria-labelledby="runtime-progress-label"
      />
      {starting && (
        <ol className="steps" aria-label="Start steps">
          {startSteps(runtime).map((s) => (
            <li key={s.key} className={`step step-${s.state}`}>
              <span className="step-dot" aria-hidden="true" />
              {s.label}
              <span className="sr-only"> ({STEP_WORDS[s.state]})</span>
            </li>
          ))}
        </ol>
      )}
      {failed && (
        <div className="alert alert-error" role="alert">
          <strong>Failed{failure?.reason ? `: ${failure.reason}` : ''}.</strong>{' '}
          {runtime.status.lastError || failure?.message || runtime.status.message}
        </div>
      )}
    </div>
  );
}
