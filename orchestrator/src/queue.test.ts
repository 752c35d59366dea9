import { describe, expect, it } from 'vitest';
import { KeyedQueue } from './queue.ts';

describe('KeyedQueue', () => {
  it('de-duplicates queued keys', async () => {
    const q = new KeyedQueue();
    q.add('a');
    q.add('a');
    q.add('b');
    expect(q.depth).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
  });

  it('never hands a key in progress to a second worker, and re-queues it when dirty', async () => {
    const q = new KeyedQueue();
    q.add('a');
    const first = await q.get();
    q.add('a');
    expect(q.depth).toBe(0);
    q.done(first as string);
    expect(q.depth).toBe(1);
    expect(await q.get()).toBe('a');
  });

  it('wakes a waiting worker', async () => {
    const q = new KeyedQueue();
    const next = q.get();
    q.add('x');
    expect(await next).toBe('x');
  });

  it('keeps the earliest delayed add', async () => {
    const q = new KeyedQueue();
    q.addAfter('a', 5000);
    q.addAfter('a', 10);
    expect(await q.get()).toBe('a');
    q.shutdown();
  });

  it('returns null to workers after shutdown', async () => {
    const q = new KeyedQueue();
    const next = q.get();
    q.shutdown();
    expect(await next).toBeNull();
  });
});
