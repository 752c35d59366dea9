/**
 * API-level fault injection: failing or slowing requests that match a filter, for the next N
 * matching requests or with a probability drawn from a seeded PRNG (deterministic per seed).
 */
import type { Verb } from './router.ts';
import { injected, type StatusError } from './status.ts';

export interface RequestMatch {
  /** Only requests with this RBAC verb (or one of these). @default any verb */
  verb?: Verb | Verb[];
  /** Only this plural resource, e.g. `pods`. @default any resource */
  resource?: string;
  /** Only this namespace. @default any namespace */
  namespace?: string;
  /** Only paths containing this string or matching this RegExp. @default any path */
  path?: string | RegExp;
}

export interface FailRequestsOptions extends RequestMatch {
  /** HTTP status to answer with (500, 409, 429, 503, 504…), as a Status of the matching reason. @default 500 */
  status?: number;
  /** Message of the Status body. @default 'kube-sim injected fault' */
  message?: string;
  /** How many matching requests fail. @default 1, or unlimited when `probability` is set */
  times?: number;
  /** Fail each matching request with this probability (seeded). @default 1 */
  probability?: number;
  /** Also delay the failing response by this many ms. @default 0 */
  delayMs?: number;
}

export interface DelayRequestsOptions extends RequestMatch {
  /** Added latency before the request is handled. */
  delayMs: number;
  /** How many matching requests are delayed. @default unlimited */
  times?: number;
  /** Delay each matching request with this probability (seeded). @default 1 */
  probability?: number;
}

export interface FaultHandle {
  /** Matching requests this rule has affected so far. */
  readonly hits: number;
  remove(): void;
}

export interface RequestInfo {
  path: string;
  verb?: Verb;
  resource?: string;
  namespace?: string;
}

interface Rule {
  match: RequestMatch;
  remaining: number;
  probability: number;
  delayMs: number;
  error?: () => StatusError;
  hits: number;
}

/** mulberry32: tiny, fast, good enough for deterministic fault schedules. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function matches(m: RequestMatch, req: RequestInfo): boolean {
  const verbs = m.verb === undefined ? undefined : Array.isArray(m.verb) ? m.verb : [m.verb];
  if (verbs && (!req.verb || !verbs.includes(req.verb))) return false;
  if (m.resource !== undefined && m.resource !== req.resource) return false;
  if (m.namespace !== undefined && m.namespace !== req.namespace) return false;
  if (typeof m.path === 'string' && !req.path.includes(m.path)) return false;
  if (m.path instanceof RegExp && !m.path.test(req.path)) return false;
  return true;
}

export class RequestFaults {
  private rules: Rule[] = [];
  private random: () => number;

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  failRequests(opts: FailRequestsOptions = {}): FaultHandle {
    const status = opts.status ?? 500;
    const message = opts.message ?? 'kube-sim injected fault';
    return this.add({
      match: opts,
      remaining: opts.times ?? (opts.probability === undefined ? 1 : Number.POSITIVE_INFINITY),
      probability: opts.probability ?? 1,
      delayMs: opts.delayMs ?? 0,
      error: () => injected(status, message),
      hits: 0,
    });
  }

  delayRequests(opts: DelayRequestsOptions): FaultHandle {
    return this.add({
      match: opts,
      remaining: opts.times ?? Number.POSITIVE_INFINITY,
      probability: opts.probability ?? 1,
      delayMs: opts.delayMs,
      hits: 0,
    });
  }

  clear(): void {
    this.rules = [];
  }

  /** Decides the fate of one request: total extra delay and, possibly, an error to answer with. */
  evaluate(req: RequestInfo): { delayMs: number; error?: StatusError } {
    let delayMs = 0;
    let error: StatusError | undefined;
    for (const rule of this.rules) {
      if (rule.remaining <= 0 || !matches(rule.match, req)) continue;
      if (rule.probability < 1 && this.random() >= rule.probability) continue;
      if (rule.error && error) continue;
      rule.remaining--;
      rule.hits++;
      delayMs += rule.delayMs;
      if (rule.error) error = rule.error();
    }
    this.rules = this.rules.filter((r) => r.remaining > 0);
    return error ? { delayMs, error } : { delayMs };
  }

  private add(rule: Rule): FaultHandle {
    this.rules.push(rule);
    return {
      get hits() {
        return rule.hits;
      },
      remove: () => {
        this.rules = this.rules.filter((r) => r !== rule);
      },
    };
  }
}
