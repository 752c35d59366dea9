import {
  type Informer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  makeInformer,
  type ObjectCache,
} from '@kubernetes/client-node';
import type { DriverLogger } from './options.ts';

/**
 * A client-node informer that stays alive. ListWatch relists by itself on 410 Gone and reconnects
 * after a clean close, but any other error (500, 403, connection refused) stops it for good: here it
 * is restarted with capped, jittered exponential backoff, reset by every successful list or event.
 */

export interface SupervisedInformerOptions<T extends KubernetesObject> {
  kubeConfig: KubeConfig;
  /** Collection path, e.g. `/api/v1/namespaces/ns/pods`. */
  path: string;
  labelSelector: string;
  list: () => Promise<KubernetesListObject<T>>;
  /** Shows up in logs. */
  kind: string;
  logger: DriverLogger;
  backoff: { initialMs: number; maxMs: number };
}

export interface SupervisedInformer<T extends KubernetesObject> {
  cache: ObjectCache<T>;
  /** Resolves after the first complete list is in the cache (or when stopped first). */
  start(onObject: (obj: T) => void): Promise<void>;
  stop(): Promise<void>;
}

export function superviseInformer<T extends KubernetesObject>(
  options: SupervisedInformerOptions<T>,
): SupervisedInformer<T> {
  const state: RunState = { listed: false, failures: 0, stopped: true, timer: undefined };
  const informer: Informer<T> & ObjectCache<T> = makeInformer(
    options.kubeConfig,
    options.path,
    async () => {
      const result = await options.list();
      state.listed = true;
      state.failures = 0;
      return result;
    },
    options.labelSelector,
  );
  const synced = gate();
  const run = keepAlive(informer, state, options, synced.open);
  let listener: ((obj: T) => void) | undefined;
  return {
    cache: informer,
    async start(onObject) {
      state.stopped = false;
      // Started again after a step-down: the new term's callback replaces the old one (adding it
      // made every event reach each past controller too, one more per re-election).
      if (listener) informer.off('change', listener);
      listener = (obj) => {
        state.failures = 0;
        onObject(obj);
      };
      informer.on('change', listener);
      await run();
      await synced.promise;
    },
    async stop() {
      state.stopped = true;
      clearTimeout(state.timer);
      state.timer = undefined;
      synced.open();
      // Aborting the watch fires the informer's error callback; `stopped` keeps it from restarting.
      await informer.stop();
    },
  };
}

interface RunState {
  /** The current start() attempt completed a list. */
  listed: boolean;
  /** Consecutive failures: the backoff exponent. */
  failures: number;
  stopped: boolean;
  timer: NodeJS.Timeout | undefined;
}

/** Returns `run()`, which (re)starts the informer and schedules itself again after every error. */
function keepAlive<T extends KubernetesObject>(
  informer: Informer<T>,
  state: RunState,
  options: Pick<SupervisedInformerOptions<T>, 'kind' | 'logger' | 'backoff'>,
  onSynced: () => void,
): () => Promise<void> {
  const { backoff, logger, kind } = options;
  const run = async (): Promise<void> => {
    state.timer = undefined;
    state.listed = false;
    try {
      await informer.start();
    } catch (err) {
      return retry(err);
    }
    // A watch opened while stop() ran would otherwise outlive it.
    if (state.stopped) return informer.stop();
    // start() returns once the list is in the cache and the watch is open (or it failed).
    if (state.listed) onSynced();
  };
  const retry = (err: unknown): void => {
    if (state.stopped || state.timer) return;
    const delay = Math.min(backoff.maxMs, backoff.initialMs * 2 ** state.failures);
    state.failures += 1;
    logger.warn({ kind, err: String(err), retryInMs: delay }, 'informer failed; restarting');
    state.timer = setTimeout(run, delay * (0.75 + Math.random() * 0.5));
  };
  informer.on('error', retry);
  return run;
}

function gate(): { promise: Promise<void>; open(): void } {
  let open: () => void = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open: () => open() };
}
