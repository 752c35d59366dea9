/**
 * A container exit under a crash fault. The first exit restarts at once (restartCount 1, no
 * back-off, like the real kubelet); later exits wait in CrashLoopBackOff with doubling back-off.
 * restartPolicy Never (or OnFailure with exit 0) ends the pod in Failed/Succeeded instead.
 */
import { runContainers } from './container-runtime.ts';
import type { Kubelet } from './kubelet.ts';
import type { KubeletTimers, PodRun } from './kubelet-timers.ts';
import { backoffMessage, containersOf, type PodStatus, setReadiness } from './pod-status.ts';
import { type KubeObject, nowTimestamp } from './types.ts';

export interface ContainerExit {
  name: string | undefined;
  exitCode: number;
  reason: string;
  final: boolean;
}

function terminate(s: PodStatus, exit: ContainerExit): Record<string, unknown> | undefined {
  const cs = s.containerStatuses?.find((c) => c.name === exit.name);
  if (!cs) return undefined;
  const running = cs.state.running as { startedAt?: string } | undefined;
  const terminated = {
    exitCode: exit.exitCode,
    reason: exit.reason,
    startedAt: running?.startedAt ?? nowTimestamp(),
    finishedAt: nowTimestamp(),
    containerID: cs.containerID,
  };
  cs.state = { terminated };
  cs.ready = false;
  cs.started = false;
  return terminated;
}

export function containerExited(
  kubelet: Kubelet,
  timers: KubeletTimers,
  run: PodRun,
  exit: ContainerExit,
): void {
  let terminated: Record<string, unknown> | undefined;
  const pod = kubelet.writeStatus(run, (s) => {
    terminated = terminate(s, exit);
    if (exit.final) s.phase = exit.exitCode === 0 ? 'Succeeded' : 'Failed';
    setReadiness(s);
  });
  if (!pod || !terminated) return;
  if (exit.final) {
    run.stage = 'done';
    return;
  }
  run.stage = 'crashed';
  const crashes = run.crashes++;
  if (crashes === 0) {
    timers.after(run, 1, () => runContainers(kubelet, run, true));
    return;
  }
  const delay = timers.backoff(crashes - 1);
  const spec = containersOf(pod).find((c) => c.name === exit.name);
  kubelet.writeStatus(run, (s) => {
    const cs = s.containerStatuses?.find((c) => c.name === exit.name);
    if (!cs || !spec) return;
    cs.lastState = { terminated };
    cs.state = {
      waiting: {
        reason: 'CrashLoopBackOff',
        message: backoffMessage('crash', Math.round(delay / 1000), pod as KubeObject, spec),
      },
    };
  });
  const m = pod.metadata;
  kubelet.record(
    pod,
    {
      type: 'Warning',
      reason: 'BackOff',
      message: `Back-off restarting failed container ${exit.name} in pod ${m.name}_${m.namespace}(${m.uid})`,
      fieldPath: `spec.containers{${exit.name}}`,
    },
    run,
  );
  timers.after(run, delay, () => runContainers(kubelet, run, true));
}
