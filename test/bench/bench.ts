/**
 * Contract of a benchmark module: `test/bench/<name>.bench.ts` exports `run()`, which measures what it
 * names AND the baseline it is compared with in the same run (machines are noisy; only ratios travel).
 * Benchmarks send traffic to loopback only, bound their loops in count and time, and stop by themselves.
 */
export interface BenchResult {
  /** Row title, e.g. `forward-auth allow decisions`. */
  name: string;
  /** Figures, with units in the key: `rps`, `p99_ms`, `ratio_vs_bare_http`, `sql_per_request`… */
  metrics: Record<string, number | string>;
  /** Target from the issue, for the table, e.g. `ratio ≥ 0.6`. */
  target?: string;
  notes?: string[];
}

export interface BenchModule {
  run(): Promise<BenchResult[]>;
}

/** Percentile of a sample (nearest-rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
