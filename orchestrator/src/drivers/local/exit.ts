import { open } from 'node:fs/promises';

/** OpenClaw exits with EX_CONFIG (78) for every startup guard: invalid config, state-dir contention… */
export const EXIT_CONFIG = 78;

export type ExitVerdict =
  /** Cannot run as configured: report `failed`, do not restart. */
  | { kind: 'failed'; reason: 'ConfigRejected'; message: string }
  /** Unexpected exit: report `crashed` and restart with backoff. */
  | { kind: 'crashed'; reason: 'CrashLoopBackOff'; message: string };

/**
 * Classify an unexpected exit. `code` is unknown (`null`) for adopted processes, which are not our
 * children: their exit status is lost, so they always count as crashes.
 */
export function classifyExit(
  code: number | null,
  signal: NodeJS.Signals | null,
  logTail: string[],
): ExitVerdict {
  if (code === EXIT_CONFIG) {
    return {
      kind: 'failed',
      reason: 'ConfigRejected',
      message: errorLine(logTail) ?? 'OpenClaw rejected its configuration (exit 78)',
    };
  }
  const how = signal
    ? `was killed by ${signal}`
    : code === null
      ? 'exited'
      : `exited with code ${code}`;
  const tail = logTail.slice(-5).join('\n');
  return {
    kind: 'crashed',
    reason: 'CrashLoopBackOff',
    message: tail ? `Gateway ${how}:\n${tail}` : `Gateway ${how}`,
  };
}

/** 1 s, 2 s, 4 s, … for the 1st, 2nd, 3rd consecutive crash, capped. */
export function restartBackoffMs(consecutiveCrashes: number, capMs: number): number {
  const exponent = Math.max(0, consecutiveCrashes - 1);
  return Math.min(capMs, 1000 * 2 ** Math.min(exponent, 30));
}

// Built from a string: Biome rejects control characters in regex literals.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g');

/** Console lines without colour codes, blank lines dropped. */
export function cleanLines(text: string): string[] {
  return text
    .replace(ANSI, '')
    .split(/\r?\n/)
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '');
}

const ERROR_PATTERNS = [
  /failed to start/i,
  /invalid config/i,
  /refusing/i,
  /missing config/i,
  /blocked/i,
  /error/i,
];

/**
 * OpenClaw's own explanation of a startup failure: the last line matching the most specific
 * pattern, without its timestamp, joined with the detail lines OpenClaw prints after it, e.g.
 * `Gateway failed to start: Invalid config at …/openclaw.json: openclaw.json:22 — gateway.auth…:
 * Invalid key in record`. Remedy hints ("Run openclaw doctor --fix…") are left out.
 */
export function errorLine(lines: string[]): string | undefined {
  for (const pattern of ERROR_PATTERNS) {
    const index = lines.findLastIndex((line) => pattern.test(line));
    if (index < 0) continue;
    const details: string[] = [];
    for (const line of lines.slice(index + 1, index + 6)) {
      if (TIMESTAMPED.test(line) || /^\s*(Run|If) /.test(line)) break;
      details.push(line.trim());
    }
    return [stripPrefix(lines[index] ?? ''), ...details].join(' ');
  }
  return undefined;
}

const TIMESTAMPED = /^\S*\d{4}-\d{2}-\d{2}T\S+\s/;

function stripPrefix(line: string): string {
  return line
    .replace(/^\S*\d{4}-\d{2}-\d{2}T\S+\s+/, '')
    .replace(/^\[[^\]]+\]\s+/, '')
    .trim();
}

/** The last `maxLines` non-blank lines of a file (reads at most the last 64 KiB). */
export async function readLogTail(path: string, maxLines = 20): Promise<string[]> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, 'r');
    const { size } = await handle.stat();
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return cleanLines(buffer.toString('utf8')).slice(-maxLines);
  } catch {
    return [];
  } finally {
    await handle?.close();
  }
}
