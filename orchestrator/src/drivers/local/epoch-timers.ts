/**
 * Timers tied to an epoch. `advance()` cancels everything pending and moves the epoch on; callbacks
 * and async continuations compare the epoch they were created in and give up when it moved, so a
 * stopped supervisor can never act on its old process again.
 */
export class EpochTimers {
  private current = 0;
  private readonly pending = new Set<NodeJS.Timeout>();

  get epoch(): number {
    return this.current;
  }

  isCurrent(epoch: number): boolean {
    return epoch === this.current;
  }

  advance(): number {
    this.cancel();
    return ++this.current;
  }

  /** Cancel pending timers without moving the epoch. */
  cancel(): void {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }

  schedule(epoch: number, ms: number, fn: () => unknown): void {
    if (epoch !== this.current) return;
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      if (epoch === this.current) void fn();
    }, ms);
    this.pending.add(timer);
  }

  every(epoch: number, ms: number, fn: () => unknown): void {
    this.schedule(epoch, ms, () => {
      fn();
      this.every(epoch, ms, fn);
    });
  }
}
