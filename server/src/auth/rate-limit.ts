/** Options of one sliding-window counter. */
export interface SlidingWindowOptions {
  /** Events allowed inside the window. */
  limit: number;
  /** Window length in milliseconds. */
  windowMs: number;
  /** Keys tracked at most; the oldest are forgotten beyond this (bounds memory under a spray). @default 100_000 */
  maxKeys?: number;
}

/** Counts events per key over the last `windowMs` (exact sliding window: one timestamp per event). */
export class SlidingWindow {
  private readonly hits = new Map<string, number[]>();
  private readonly opts: Required<SlidingWindowOptions>;

  constructor(opts: SlidingWindowOptions) {
    this.opts = { maxKeys: 100_000, ...opts };
  }

  /** Milliseconds until `key` may act again, or 0 when it is under the limit. */
  retryAfterMs(key: string, now = Date.now()): number {
    const live = this.live(key, now);
    if (live.length < this.opts.limit) return 0;
    return (live[live.length - this.opts.limit] ?? now) + this.opts.windowMs - now;
  }

  hit(key: string, now = Date.now()): void {
    const live = this.live(key, now);
    live.push(now);
    this.hits.delete(key);
    this.hits.set(key, live.slice(-this.opts.limit));
    if (this.hits.size > this.opts.maxKeys) {
      const oldest = this.hits.keys().next().value;
      if (oldest !== undefined) this.hits.delete(oldest);
    }
  }

  reset(key: string): void {
    this.hits.delete(key);
  }

  private live(key: string, now: number): number[] {
    const all = this.hits.get(key) ?? [];
    return all.filter((t) => t > now - this.opts.windowMs);
  }
}

/** Login throttling limits. */
export interface LoginThrottleOptions {
  /** Failures allowed per username+IP in the window. @default 5 */
  perUserAndIp?: number;
  /** Failures allowed per IP (any usernames) in the window. @default 50 */
  perIp?: number;
  /** @default 15 minutes */
  windowMs?: number;
}

/**
 * Password-guessing brake. Only failures count; a success clears the username+IP counter. Per process
 * (in memory): with N server processes an attacker gets at most N× the budget, which still makes
 * online guessing hopeless against the password policy.
 */
export class LoginThrottle {
  private readonly byUserIp: SlidingWindow;
  private readonly byIp: SlidingWindow;

  constructor(opts: LoginThrottleOptions = {}) {
    const windowMs = opts.windowMs ?? 15 * 60_000;
    this.byUserIp = new SlidingWindow({ limit: opts.perUserAndIp ?? 5, windowMs });
    this.byIp = new SlidingWindow({ limit: opts.perIp ?? 50, windowMs });
  }

  /** Seconds to wait before trying again, or 0 when an attempt is allowed now. */
  retryAfterSeconds(usernameKey: string, ip: string | null): number {
    const ms = Math.max(
      this.byUserIp.retryAfterMs(`${usernameKey}|${ip}`),
      this.byIp.retryAfterMs(`${ip}`),
    );
    return Math.ceil(ms / 1000);
  }

  failed(usernameKey: string, ip: string | null): void {
    this.byUserIp.hit(`${usernameKey}|${ip}`);
    this.byIp.hit(`${ip}`);
  }

  succeeded(usernameKey: string, ip: string | null): void {
    this.byUserIp.reset(`${usernameKey}|${ip}`);
  }

  /** Seconds until `ip` may try again by its per-IP window alone (guesses that name no account). */
  ipRetryAfterSeconds(ip: string | null): number {
    return Math.ceil(this.byIp.retryAfterMs(`${ip}`) / 1000);
  }

  /**
   * A wrong guess at a secret that names no account (an invitation or setup token): it counts
   * against the IP's window, shared with password failures, so guessing links is throttled too.
   */
  guessFailed(ip: string | null): void {
    this.byIp.hit(`${ip}`);
  }
}
