import { open, stat } from 'node:fs/promises';

/** Never read more than this from the end of a log for one request, however long its lines. */
const MAX_TAIL_BYTES = 1024 * 1024;

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * The last `n` lines of a text file, reading backwards from the end in one bounded chunk (a console
 * log grows without limit; its head is never needed). A missing file is an empty log: the runtime
 * has not started yet, or its bookkeeping was deleted.
 */
export async function readLastLines(path: string, n: number): Promise<string[]> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
  try {
    const { size } = await fh.stat();
    const length = Math.min(size, MAX_TAIL_BYTES);
    const buf = Buffer.alloc(length);
    await fh.read(buf, 0, length, size - length);
    const lines = buf.toString('utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    // A chunk that starts mid-file starts mid-line: drop the fragment unless it is all we have.
    if (length < size && lines.length > 1) lines.shift();
    return lines.slice(-n);
  } finally {
    await fh.close();
  }
}

export interface TailOptions {
  /** How often the file's size is checked. @default 500 */
  intervalMs?: number;
}

/**
 * Follows a file from its current end, yielding each batch of complete new lines. Polls `stat` (cheap,
 * and unlike `fs.watch` reliable on every filesystem). A file that shrinks was truncated, and one with
 * a new inode was replaced (the runtime deleted and recreated): reading restarts at its beginning. `return()` (the client left) stops at once — no pending timer
 * keeps the iterator alive until the next poll.
 */
export function tailLines(
  path: string,
  options: TailOptions = {},
): AsyncIterableIterator<string[]> {
  const intervalMs = options.intervalMs ?? 500;
  let pos: number | null = null;
  let ino = 0;
  let carry = '';
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: ((r: IteratorResult<string[]>) => void) | null = null;

  async function poll(): Promise<string[]> {
    const st = await stat(path).then(
      (s) => ({ size: s.size, ino: s.ino }),
      (err) => (isMissing(err) ? { size: 0, ino: 0 } : Promise.reject(err)),
    );
    const size = st.size;
    if (pos === null) {
      pos = size;
      ino = st.ino;
    }
    if (size < pos || st.ino !== ino) {
      ino = st.ino;
      pos = 0;
      carry = '';
    }
    if (size === pos) return [];
    const length = Math.min(size - pos, MAX_TAIL_BYTES);
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(length);
      await fh.read(buf, 0, length, pos);
      pos += length;
      const parts = (carry + buf.toString('utf8')).split('\n');
      carry = parts.pop() ?? '';
      return parts;
    } finally {
      await fh.close();
    }
  }

  function schedule(delay: number): void {
    timer = setTimeout(async () => {
      if (stopped) return;
      try {
        const lines = await poll();
        if (stopped) return;
        if (lines.length === 0) return schedule(intervalMs);
        const resolve = wake;
        wake = null;
        resolve?.({ value: lines, done: false });
      } catch {
        // Transient I/O trouble (the directory being recreated): try again on the next tick.
        if (!stopped) schedule(intervalMs);
      }
    }, delay);
  }

  const iterator: AsyncIterableIterator<string[]> = {
    next() {
      if (stopped) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => {
        wake = resolve;
        // The first poll only fixes the starting position (the end), so it runs at once.
        schedule(pos === null ? 0 : intervalMs);
      });
    },
    async return() {
      stopped = true;
      clearTimeout(timer);
      wake?.({ value: undefined, done: true });
      wake = null;
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
