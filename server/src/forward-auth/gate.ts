import type { ActivitySink } from '../activity/activity-recorder.ts';
import type { Authenticator } from '../auth/viewer.ts';
import type { Logger } from '../logger.ts';
import { type DecideConfig, decide } from './decide.ts';
import type { RequestFacts } from './facts.ts';
import { wantsHtml } from './hints.ts';
import { classifyHost } from './host.ts';
import type { Outcomes } from './outcomes.ts';
import type { Decision, EntranceViewer, RuntimeRoute } from './types.ts';

export interface GateDeps {
  authenticator: Pick<Authenticator, 'authenticate'>;
  /** Host label → runtime (`services/runtime-routing.ts`). */
  routing: { lookup(label: string): Promise<RuntimeRoute | null> };
  config: DecideConfig;
  outcomes: Outcomes;
  logger: Pick<Logger, 'error'>;
  /** Every request let through to a runtime is activity (idle culling). @default none */
  activity?: ActivitySink;
}

export interface Evaluation {
  decision: Decision;
  viewer: EntranceViewer | null;
  runtime: RuntimeRoute | null;
}

export type Gate = ReturnType<typeof createGate>;

/**
 * The I/O around `decide()`: who is asking (the authenticator's in-memory cache), which runtime the
 * host names (the routing cache), then count and audit the outcome. Shared by `/auth/forward` and the
 * embedded edge. Anonymous and untrusted requests never reach the routing cache, so probing hosts
 * costs nothing and reveals nothing.
 */
export function createGate(deps: GateDeps) {
  async function evaluate(facts: RequestFacts): Promise<Evaluation> {
    let viewer: EntranceViewer | null = null;
    let runtime: RuntimeRoute | null = null;
    let decision: Decision;
    try {
      if (facts.trustedSource) viewer = await authenticate(facts);
      const target = classifyHost(facts.host, deps.config);
      if (viewer && target.kind === 'runtime') runtime = await deps.routing.lookup(target.label);
      decision = decide({
        viewer,
        trustedSource: facts.trustedSource,
        forwardedHost: facts.host,
        forwardedUri: facts.uri,
        forwardedMethod: facts.method,
        forwardedProto: facts.proto,
        hints: facts.hints,
        runtime,
        config: deps.config,
      });
    } catch (err) {
      deps.logger.error({ err }, 'entrance lookup failed');
      decision = unavailable(wantsHtml(facts.hints));
    }
    deps.outcomes.record(decision, { viewer, ip: facts.ip }, facts.host);
    if (decision.allow && runtime) deps.activity?.touch(runtime.runtimeId);
    return { decision, viewer, runtime };
  }

  async function authenticate(facts: RequestFacts): Promise<EntranceViewer | null> {
    if (!facts.cookie && !facts.authorization) return null;
    const headers = new Headers();
    if (facts.cookie) headers.set('cookie', facts.cookie);
    if (facts.authorization) headers.set('authorization', facts.authorization);
    return deps.authenticator.authenticate(headers);
  }

  return { evaluate, config: deps.config, outcomes: deps.outcomes };
}

function unavailable(html: boolean): Decision {
  return {
    allow: false,
    status: 503,
    reason: 'entrance_unavailable',
    body: {
      code: 'entrance_unavailable',
      message: 'The entrance cannot check access right now; retry shortly.',
    },
    html,
    audit: false,
  };
}
